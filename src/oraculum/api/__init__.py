"""The HTTP API: one ASGI app for uvicorn locally and for Lambda behind API Gateway."""
