"""Built-in checks (being written)."""
