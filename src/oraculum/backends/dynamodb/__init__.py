"""DynamoDB as the document store: the table's schema and the store over it."""
