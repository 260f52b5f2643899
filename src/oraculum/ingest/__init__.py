"""The ETL: sources -> normalize -> chunk -> hash -> embed (cached) -> both stores."""
