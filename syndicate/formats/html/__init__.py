"""The `html` format: standalone article pages, language indexes, and the published images."""
