"""The `epub` format: story and edition EPUB 3 bundles, their covers, and the OPDS catalog."""
