"""`rss`: RSS 2.0 feeds per language and per language and section, with RFC 5005 archives."""

from __future__ import annotations

from syndicate.formats.feeds.documents import FeedWriter
from syndicate.formats.feeds.feedgen_adapter import rss_document, rss_item, rss_kill_item
from syndicate.formats.feeds.images import rss_image
from syndicate.formats.feeds.validate import check_rss_file


class RssWriter(FeedWriter):
    """`validate --outputs` checks RSS 2.0 structure, language tags, English RFC 822 dates and
    the values the W3C Feed Validator checks (and runs it, when SYNDICATE_FEEDVALIDATOR or
    feeds.feedvalidator names it)."""

    name = "rss"
    description = "RSS 2.0 feeds: per language and section, full content, RFC 5005 archives"
    media_type = "application/rss+xml"
    render_entry = staticmethod(rss_item)
    render_document = staticmethod(rss_document)
    render_tombstone = staticmethod(rss_kill_item)
    feed_image = staticmethod(rss_image)
    check_file = staticmethod(check_rss_file)
