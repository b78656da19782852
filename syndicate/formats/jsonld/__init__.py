"""The `jsonld` format: schema.org JSON-LD graphs per story variant (also embedded in pages)."""
