"""Adapters, one module each; only `oraculum.config` chooses among them."""
