"""The knowledge base (知识库): entries with their version history (`store`) and Chinese
full-text search over them (`search`), in the ledger database."""
