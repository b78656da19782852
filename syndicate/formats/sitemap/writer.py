"""`sitemap`: what search engines crawl. Under `out/sitemaps/`: a Google News sitemap per
language (the stories that reached the public in the two days before `--now`), the sitemap of every
public page with its translations as hreflang alternates, and the sitemap index listing them.

Sitemaps are site-wide: they list every site language whatever `--lang` says, so a partial run
writes the same bytes as a full one (the pages of the other languages are kept in out/)."""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import msgspec
from lxml import etree
from lxml.builder import ElementMaker

from syndicate.formats.contract import (
    Context,
    Options,
    OutputFile,
    Planned,
    Writer,
    default_language,
    in_site_order,
    within,
)
from syndicate.formats.lists import section_pages
from syndicate.formats.sitemap.vocabulary import (
    INDEX_FILE,
    NEWS_LIMIT,
    NEWS_NS,
    NEWS_WINDOW,
    PAGE_URLS,
    SITEMAP_NS,
    news_language,
    numbered,
)
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import stated_tag
from syndicate.model import SiteConfig, StorySummary
from syndicate.model.site import VISIBLE
from syndicate.model.summary import last_taken_down
from syndicate.xmlbase import XHTML_NS

SM = ElementMaker(namespace=SITEMAP_NS, nsmap={None: SITEMAP_NS})
NEWS = ElementMaker(namespace=NEWS_NS, nsmap={"news": NEWS_NS})
XHTML = ElementMaker(namespace=XHTML_NS, nsmap={"xhtml": XHTML_NS})


class SitemapOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    publication: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                description="the publication's name in News sitemaps, exactly as Google News"
                " shows it (default: publisher.name)",
            ),
        ]
        | None
    ) = None

    def check(self, config: SiteConfig) -> Iterator[tuple[str, str]]:
        name = self.publication
        if name is None:
            return
        if not VISIBLE.search(name):  # (white space, a zero-width space alone)
            yield (
                "publication",
                "is empty: give the name Google News shows, or take the line out (the"
                " publisher's name is the default)",
            )
        elif any(line in name for line in "\n\r\v\f\x85\u2028\u2029"):
            yield (
                "publication",
                f"{name!r} holds a line break: Google News matches the name exactly, on one line;"
                f" write {' '.join(name.split())!r}",
            )


class SitemapWriter(Writer[SitemapOptions]):
    """Collections only: every file lists many stories, from their summaries."""

    name = "sitemap"
    description = (
        "sitemaps: Google News per language (last 2 days), every public page with its"
        " hreflang alternates, and their index"
    )
    media_type = "application/xml"
    extension = ".xml"
    scope = "collection"
    folders = ("sitemaps",)
    Options = SitemapOptions
    window = NEWS_WINDOW

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[SitemapOptions]
    ) -> Iterable[OutputFile]:
        visible = [story for story in stories if story.is_visible(ctx.now)]
        taken = last_taken_down(stories, ctx.now, ctx.config.languages)
        site = _Site(
            visible, ctx, taken, _taken_stories(stories, ctx), _taken_sections(stories, ctx)
        )
        if not site.languages:
            return  # no public page (no story list): nothing to list, and none may be empty
        listed: list[tuple[str, datetime]] = []
        # A file's bytes are its URLs' (or, for the index, the files' paths and dates): the
        # build engine keeps the published file while they are the same.
        # One file's URLs at a time: the engine makes (or keeps) each file before the next.
        for path, urls in itertools.chain(site.news_sitemaps(), site.page_sitemaps()):
            lastmod = max(url.lastmod for url in urls)
            gone = site.gone.get(path)  # a story news then went from it
            listed.append((path, lastmod if gone is None else max(lastmod, gone)))
            make = functools.partial(_urlset_file, urls)
            yield Planned(path, make, key=_urls_key(urls))
        make = functools.partial(_index_file, listed, ctx)
        yield Planned(INDEX_FILE, make, key=repr(("index", listed)))

    def validate_outputs(self, out: Path, ctx: Context[SitemapOptions]) -> None:
        from syndicate.formats.sitemap.validate import validate_folder

        validate_folder(out, ctx)


def _urls_key(urls: Sequence[_Url]) -> str:
    """What a sitemap file says, hashed URL by URL (a file lists up to 50,000 of them: one
    string of all of them would cost tens of megabytes)."""
    h = hashlib.sha256(b"urlset")
    for url in urls:
        text = repr(url).encode("utf-8")
        h.update(len(text).to_bytes(8, "big"))
        h.update(text)
    return h.hexdigest()


CHUNK = 1_000
"""URLs serialised at a time (see `_urlset_file`)."""


def _urlset_file(urls: Sequence[_Url]) -> bytes:
    """`serialise(urlset(urls))`, made `CHUNK` URLs at a time: a file of 50,000 URLs with
    their translations is half a million elements, which as one tree took hundreds of
    megabytes. Every chunk is a `<urlset>` declaring the same namespaces, so its `<url>`
    lines are those the whole tree would have; the chunks' own first and last lines go."""
    used = _namespaces(urls)
    made = io.BytesIO()  # its value is its buffer, not a copy: a file's bytes are held once
    closing = b""
    for start in range(0, len(urls), CHUNK):
        chunk = serialise(urlset(urls[start : start + CHUNK], used))
        first, _, rest = chunk.partition(b"\n")  # the XML declaration
        opening, _, rest = rest.partition(b"\n")
        inner, _, closing = rest.rstrip(b"\n").rpartition(b"\n")
        if start == 0:
            made.write(first + b"\n" + opening + b"\n")
        made.write(inner + b"\n")
    made.write(closing + b"\n")
    return made.getvalue()


def _index_file(listed: Sequence[tuple[str, datetime]], ctx: Context[SitemapOptions]) -> bytes:
    entries = (
        SM.sitemap(SM.loc(ctx.urls.output(path)), SM.lastmod(rfc3339(lastmod)))
        for path, lastmod in listed
    )
    return serialise(SM.sitemapindex(*entries))


def urlset(urls: Sequence[_Url], used: dict[str, str] | None = None) -> etree._Element:
    """A `<urlset>` declaring the extension namespaces its URLs use once, on itself (or
    those of `used`, whether its URLs use them or not)."""
    root = SM.urlset(*(url.element() for url in urls))
    used = _namespaces(urls) if used is None else used
    etree.cleanup_namespaces(root, top_nsmap=used, keep_ns_prefixes=list(used))
    return root


def _namespaces(urls: Sequence[_Url]) -> dict[str, str]:
    used = {"news": NEWS_NS} if any(u.news for u in urls) else {}
    return used | ({"xhtml": XHTML_NS} if any(u.alternates for u in urls) else {})


def serialise(root: etree._Element) -> bytes:
    body: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


@dataclass(frozen=True, slots=True)
class _News:
    """A story's Google News entry."""

    publication: str
    language: str
    published: datetime
    title: str


@dataclass(frozen=True, slots=True)
class _Url:
    """One `<url>`: a page, when it last changed, and either its translations or its News
    entry (or neither: the stand-in of a News sitemap without news)."""

    loc: str
    lastmod: datetime
    alternates: tuple[tuple[str, str], ...] = ()
    news: _News | None = None

    def element(self) -> etree._Element:
        url = SM.url(SM.loc(self.loc), SM.lastmod(rfc3339(self.lastmod)))
        for hreflang, href in self.alternates:
            url.append(XHTML.link(rel="alternate", hreflang=stated_tag(hreflang), href=href))
        if self.news is not None:
            news = self.news
            url.append(
                NEWS.news(
                    NEWS.publication(NEWS.name(news.publication), NEWS.language(news.language)),
                    NEWS.publication_date(rfc3339(news.published)),
                    NEWS.title(news.title),
                )
            )
        return url


def _lastmod(story: StorySummary, lang: str | None = None) -> datetime:
    """When a story's page in `lang` last changed (its `updated` there, which a language file
    may give of its own; with no `lang`, the latest of its languages'), or the end of its
    embargo when that came later (the pages did not exist before): what every public channel
    says (`StorySummary.public_updated_for`)."""
    return story.public_updated_for(lang) if lang is not None else story.public_last_updated


def _taken_stories(
    stories: Sequence[StorySummary], ctx: Context[SitemapOptions]
) -> list[tuple[tuple[datetime, str], datetime]]:
    """The stories the public had that were killed or withdrawn, in a site language: where
    each stood in the pages' order (`_Site.stories`'s key), and when it was taken down."""
    site = ctx.config.languages
    return sorted(
        ((story.public_since, story.id), story.updated)
        for story in stories
        if story.lifecycle(ctx.now) in ("killed", "withdrawn")
        and story.was_public()
        and any(lang in site for lang in story.languages)
    )


def _taken_sections(
    stories: Sequence[StorySummary], ctx: Context[SitemapOptions]
) -> dict[tuple[str, str], datetime]:
    """Each section's latest kill or withdrawal of a story the public had, per language
    (`last_taken_down`): its story list changed then."""
    by_section: dict[str, list[StorySummary]] = {}
    for story in stories:
        by_section.setdefault(story.section, []).append(story)
    return {
        (lang, section): when
        for section, listed in by_section.items()
        for lang, when in last_taken_down(listed, ctx.now, ctx.config.languages).items()
    }


class _Site:
    """The public pages of the site: each visible story in each site language (its article
    page), and the story lists of the HTML format (`index.<lang>.html`, `index.html`)."""

    def __init__(
        self,
        visible: Sequence[StorySummary],
        ctx: Context[SitemapOptions],
        taken: Mapping[str, datetime] | None = None,
        taken_stories: Sequence[tuple[tuple[datetime, str], datetime]] = (),
        taken_sections: Mapping[tuple[str, str], datetime] | None = None,
    ) -> None:
        self.ctx = ctx
        self.taken_sections = taken_sections or {}
        """Each language and section's latest kill or withdrawal (`_taken_sections`)."""
        self.taken = taken or {}
        self.taken_stories = taken_stories
        """Each story taken down, by its place in the pages' order, with when."""
        """Each language's latest kill or withdrawal of a story the public had: the story
        lists (and a news file) changed then (`last_taken_down`)."""
        self.gone: dict[str, datetime] = {}
        """The news files a story taken down within the window went from, and the page files
        one taken down shifted, with when."""
        site = ctx.config.languages
        # A story written only in languages the site does not publish has no page (reading
        # warned of each such file): it is not listed, nor does its date count.
        paged = [s for s in visible if any(lang in site for lang in s.languages)]
        self.stories = sorted(paged, key=lambda s: (s.public_since, s.id))
        """Oldest first by when each reached the public: a new story lands in the last
        sitemap file, the others keep theirs."""
        # A language whose public stories were all killed keeps its story list, as the HTML
        # format keeps it (empty, to carry the notices' links): a public page all the same.
        self.languages = tuple(
            lang for lang in site if lang in self.taken or any(s.has(lang) for s in paged)
        )

    def news_sitemaps(self) -> Iterator[tuple[str, list[_Url]]]:
        """Per language, the stories whose variant in it reached the public within the window
        before `now` (published, or out of an embargo: `StorySummary.public_since_for`), newest
        first, `NEWS_LIMIT` to a file. Without any, one stand-in URL (the language's story
        list, no News entry): a `<urlset>` without URLs is invalid against sitemaps.org's
        schema (its `url` is required), while a URL without a News entry is only not news.
        (Google would take an empty one, with an "Empty Sitemap" warning; the files are
        made for any crawler that holds to the schema.)"""
        now = self.ctx.now
        recent = [s for s in self.stories if within(NEWS_WINDOW, s.last_public_since, now)]
        name = self.ctx.options.publication or self.ctx.config.publisher.name
        for lang in self.languages:
            # A translation added later is news from its own publication (`published_for`).
            fresh = [
                (story.public_since_for(lang), story)
                for story in recent
                if story.has(lang) and within(NEWS_WINDOW, story.public_since_for(lang), now)
            ]
            fresh.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
            urls = [
                _Url(
                    self.article(story, lang),
                    _lastmod(story, lang),
                    news=_News(name, news_language(lang), since, story.variant(lang).headline),
                )
                for since, story in fresh
            ]
            # A story taken down within the window went from the news file then; one that
            # aged out of the window went from it when it did: the file's date never goes
            # back past either (its URLs' dates alone would, once its newest change left).
            taken = self.taken.get(lang)
            gone = taken if taken is not None and within(NEWS_WINDOW, taken, now) else None
            aged = self._aged_out(lang)
            if aged is not None and (gone is None or aged > gone):
                gone = aged
            for path, chunk in _split(
                f"news-{lang}", urls or [self.language_index(lang)], NEWS_LIMIT
            ):
                if gone is not None:
                    self.gone[path] = gone
                yield path, chunk

    def _aged_out(self, lang: str) -> datetime | None:
        """When the last story to leave `lang`'s news window by now left it (the end of its
        two days), None if none has."""
        now = self.ctx.now
        ends = (s.public_since_for(lang) + NEWS_WINDOW for s in self.stories if s.has(lang))
        end = max((end for end in ends if end < now), default=None)
        return None if end is None else end.astimezone(UTC)  # (no story's offset then)

    def page_sitemaps(self) -> Iterator[tuple[str, list[_Url]]]:
        """The story lists first, then every article page, `PAGE_URLS` to a file, each
        file's URLs made when it is asked for. A story taken down left the file it was in,
        and every file after it moved up (their URLs shifted): those files changed then,
        though no URL left in them is that new (`self.gone`; the story lists' `lastmod`
        counts it in the first file too)."""
        keyed: Iterator[tuple[_Url, tuple[datetime, str] | None]] = itertools.chain(
            ((url, None) for url in (self.home_index(), *map(self.language_index, self.languages))),
            ((url, None) for url in self.section_indexes()),
            (
                (url, (story.public_since, story.id))
                for story in self.stories
                for url in self._article_urls(story)
            ),
        )
        for n in itertools.count(1):
            chunk = list(itertools.islice(keyed, PAGE_URLS))
            if not chunk:
                return
            after = next(keyed, None)  # none: the last file, which any story taken down moved
            path = numbered("pages", n)
            last = next((key for _, key in reversed(chunk) if key is not None), None)
            shifted = [
                when
                for key, when in self.taken_stories
                if after is None or (last is not None and key < last)
            ]
            if shifted:
                self.gone[path] = max(shifted)
            if after is not None:
                keyed = itertools.chain((after,), keyed)
            yield path, [url for url, _ in chunk]

    def _article_urls(self, story: StorySummary) -> list[_Url]:
        """A story's article page in each site language it has, each listing all of them."""
        langs = [lang for lang in story.languages if lang in self.ctx.config.languages]
        # The alternates in the site's order, and the same x-default, as the pages' own
        # hreflang links give them
        pages = {lang: self.article(story, lang) for lang in in_site_order(story, self.ctx)}
        alternates = (*pages.items(), ("x-default", pages[default_language(story, self.ctx)]))
        return [_Url(pages[lang], _lastmod(story, lang), alternates) for lang in langs]

    def article(self, story: StorySummary, lang: str) -> str:
        return self.ctx.urls.article(story.slug, lang)

    def index_alternates(self) -> tuple[tuple[str, str], ...]:
        urls = self.ctx.urls
        languages = [(lang, urls.output(f"html/index.{lang}.html")) for lang in self.languages]
        return (*languages, ("x-default", urls.output("html/index.html")))

    def language_index(self, lang: str) -> _Url:
        # A story that left the list changed it then (the only change of a list emptied).
        dates = [_lastmod(s, lang) for s in self.stories if s.has(lang)]
        newest = max(dates + ([self.taken[lang]] if lang in self.taken else []))
        loc = self.ctx.urls.output(f"html/index.{lang}.html")
        return _Url(loc, newest, self.index_alternates())

    def section_indexes(self) -> Iterator[_Url]:
        """The first page of each section's story list in each language where it has a
        public story (`html/<lang>/<section>.html`), section by section, each listing the
        section's list in its other languages; none when `html.section_pages` is false."""
        if not section_pages(self.ctx.config):
            return
        sections: dict[str, dict[str, list[StorySummary]]] = {}
        for lang in self.languages:
            for story in self.stories:
                if story.has(lang):
                    sections.setdefault(story.section, {}).setdefault(lang, []).append(story)
        output = self.ctx.urls.output
        for section in sorted(sections):
            in_langs = sections[section]
            alternates = tuple((lang, output(f"html/{lang}/{section}.html")) for lang in in_langs)
            for lang, listed in in_langs.items():
                dates = [_lastmod(s, lang) for s in listed]
                taken = self.taken_sections.get((lang, section))
                newest = max(dates + ([taken] if taken is not None else []))
                yield _Url(output(f"html/{lang}/{section}.html"), newest, alternates)

    def home_index(self) -> _Url:
        newest = max([_lastmod(s) for s in self.stories] + list(self.taken.values()))
        return _Url(self.ctx.urls.output("html/index.html"), newest, self.index_alternates())


def _split(stem: str, urls: Iterable[_Url], limit: int) -> Iterator[tuple[str, list[_Url]]]:
    """The files of `stem` (`numbered`), `limit` URLs each, each file's taken from `urls`
    only when it is asked for."""
    urls = iter(urls)
    for n in itertools.count(1):
        chunk = list(itertools.islice(urls, limit))
        if not chunk:
            return
        yield numbered(stem, n), chunk
