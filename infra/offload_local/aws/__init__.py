"""The local AWS endpoint: moto's server, and the clients and environment that reach it."""
