"""The application's own code: settings, AWS clients, stores and task functions by feature."""
