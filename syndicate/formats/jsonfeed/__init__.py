"""The `jsonfeed` format: JSON Feed 1.1 per language and per language and section."""
