"""What sitemaps are made of: namespaces, the protocol's limits, file names, Google's language
codes, and which URLs a sitemap may list."""

from __future__ import annotations

from datetime import timedelta

from syndicate.i18n.locales import locale_for
from syndicate.model import SiteConfig

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

FOLDER = "sitemaps"
INDEX_FILE = f"{FOLDER}/index.xml"
NEWS_WINDOW = timedelta(days=2)
"""Google News sitemaps list the articles first published in the last two days."""
NEWS_LIMIT = 1_000
"""URLs in one News sitemap (Google's limit)."""
URL_LIMIT = 50_000
"""URLs in one sitemap, and sitemaps in one index (sitemaps.org's limit)."""
PAGE_URLS = 10_000
"""URLs in one sitemap of pages, a fifth of the protocol's limit: the file that an archive's
new stories land in (the last) stays a few megabytes for crawlers to fetch again, and an
export holds such a file's URLs and bytes, not every page's (50,000 URLs with their
translations in four languages are a file of about 37 MB of XML)."""
SIZE_LIMIT = 50 * 1024 * 1024
"""Bytes of one sitemap file, uncompressed (sitemaps.org's limit)."""
PROFILE = "sitemap-profile.xsd"


def numbered(stem: str, n: int) -> str:
    """`sitemaps/pages.xml`, then `sitemaps/pages-2.xml`, ... for the files of one split list."""
    return f"{FOLDER}/{stem}.xml" if n == 1 else f"{FOLDER}/{stem}-{n}.xml"


def news_language(tag: str) -> str:
    """Google News wants an ISO 639 code, and `zh-cn` / `zh-tw` for Simplified and Traditional
    Chinese: `zh-Hans` becomes `zh-cn`, `pt-BR` becomes `pt`. babel gives `zh-TW` and `zh-HK`
    their script (Traditional); plain `zh` is Simplified, as CLDR's likely subtags say."""
    locale = locale_for(tag)
    if locale.language == "zh":
        return "zh-tw" if locale.script == "Hant" else "zh-cn"
    return locale.language.lower()


def url_prefixes(config: SiteConfig) -> tuple[str, ...]:
    """Where a URL a sitemap lists may start: `base_url`, and the fixed start of the article
    link template when it points elsewhere (a newsroom whose pages live on its own site);
    either alone when the other is under it (every URL that has the longer has the shorter)."""
    article = config.article_url.replace("{base_url}", config.base_url)
    fixed = article.partition("{")[0]
    if fixed.startswith(config.base_url):  # a start under base_url says nothing more
        return (config.base_url,)
    if config.base_url.startswith(fixed):  # pages at the site's root: base_url is under it
        return (fixed,)
    return (config.base_url, fixed)
