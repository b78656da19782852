"""Renderers shared by every writer: the one XHTML body renderer, and plain text."""
