"""The AWS Lambda front door: one handler per function and the light router over API Gateway
events."""
