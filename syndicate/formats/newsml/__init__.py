"""The `newsml` format: NewsML-G2 items and packages, their vocabulary, the reader that turns
them back into stories, and the validator against our profile and IPTC's schema."""
