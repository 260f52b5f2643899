"""Local stand-ins for managed services (not the services): HTTP servers the real SDKs can be
pointed at without the internet, enforcing the services' documented limits."""
