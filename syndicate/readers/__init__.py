"""Readers turn files into the canonical model: story folders, front matter, Markdown bodies."""
