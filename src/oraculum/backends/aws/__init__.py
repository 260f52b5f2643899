"""AWS clients (timeouts, retries and the request deadline on every call) and secrets from SSM
or Secrets Manager."""
