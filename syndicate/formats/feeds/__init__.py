"""The `atom` and `rss` formats: per-language and per-section feeds with RFC 5005 archives."""
