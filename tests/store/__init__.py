"""The store contract, run against every backend; SQLite-specific migrations."""
