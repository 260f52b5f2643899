"""Amazon Bedrock: Cohere embeddings and Claude through Converse, with their errors translated."""
