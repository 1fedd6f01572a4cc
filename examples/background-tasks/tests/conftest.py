# offload's test kit: the `tasks` fixture, a fresh TaskKit for each test.
pytest_plugins = ["offload.testing"]
