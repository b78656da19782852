"""The `model` format: the canonical model as JSON, for tests and debugging."""
