"""Output formats: one module per format, each a pure writer listed in the registry."""
