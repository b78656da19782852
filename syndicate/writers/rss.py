"""`rss`: RSS 2.0 feeds per language and per language and section, with RFC 5005 archives."""

from __future__ import annotations

from pathlib import Path

from syndicate.validate.feeds import check_rss_file
from syndicate.writers.base import Context
from syndicate.writers.feedgen_adapter import Feed, rss_bytes
from syndicate.writers.feeds import FeedWriter


class RssWriter(FeedWriter):
    name = "rss"
    description = "RSS 2.0 feeds: per language and section, full content, RFC 5005 archives"
    media_type = "application/rss+xml"

    def render(self, feed: Feed) -> bytes:
        return rss_bytes(feed)

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        """Structure RSS 2.0 requires, language tags and English RFC 822 dates."""
        for path in sorted((out / "rss").rglob("*.xml")):
            check_rss_file(path, ctx.diagnostics)
