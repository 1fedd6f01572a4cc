"""The local HTTP API gateway: HTTP requests in, API Gateway HTTP API (payload 2.0) events out."""
