"""The API Lambda: the FastAPI app, its routers, and the Mangum handler."""
