"""Pinecone as the vector index: the data plane, the control plane, its limits and its errors."""
