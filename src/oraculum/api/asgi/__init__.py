"""The ASGI front door (uvicorn, or Mangum on Lambda): the FastAPI app built from the route
table, its middleware, its exception handlers and the web page."""
