"""The `sitemap` format: Google News sitemaps, the sitemap of every public page, their index."""
