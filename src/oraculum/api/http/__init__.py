"""What both front doors share: the route table, the endpoints, the schemas, problems, auth,
the request context and the services behind the API."""
