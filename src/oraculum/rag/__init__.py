"""Retrieval-augmented generation: retrieve -> pack -> prompt, each stage on its own."""
