"""Checks of a deployment's settings and backends (`oraculum doctor`)."""
