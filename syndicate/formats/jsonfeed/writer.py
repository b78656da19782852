"""`jsonfeed`: JSON Feed 1.1, `jsonfeed/<lang>.json` and `jsonfeed/<lang>/<section>.json`.

The feeds of the Atom and RSS formats in another syntax: the same `feeds` options, the same
stories (visible at `--now`), order (newest first) and paging (the newest `limit` entries, older
ones on archive pages `.../archive/<n>.json` that `next_url` walks back through), imported from
`syndicate.formats.feeds.documents`. Each story's items are rendered once, in its own work, and
kept as fragments; a document is assembled from them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from syndicate.formats.contract import Context, Fragment, OutputFile, Writer, json_document
from syndicate.formats.feeds.documents import FeedOptions, archive_key, paginate, recency_key
from syndicate.formats.jsonfeed.validate import check_feed
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.terms import term
from syndicate.i18n.text import section_name
from syndicate.model import Image, Story, StorySummary
from syndicate.render.xhtml import render_body, to_string

VERSION = "https://jsonfeed.org/version/1.1"
Node = dict[str, Any]


class JsonFeedWriter(Writer[FeedOptions]):
    name = "jsonfeed"
    description = "JSON Feed 1.1: per language and section, full content, paged by next_url"
    media_type = "application/feed+json"
    extension = ".json"
    scope = "collection"
    config_section = "feeds"
    Options = FeedOptions

    def story_files(self, story: Story, ctx: Context[FeedOptions]) -> Iterator[Fragment]:
        if not story.is_visible(ctx.now):
            return
        for lang in ctx.options.feed_languages(ctx.languages):
            if story.has(lang):
                item = json.dumps(make_item(story, lang, ctx), ensure_ascii=False, sort_keys=True)
                yield Fragment(item_name(lang), item.encode("utf-8"))

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[FeedOptions]
    ) -> Iterable[OutputFile]:
        visible = [story for story in stories if story.is_visible(ctx.now)]
        options = ctx.options
        sections = options.sections
        if sections == "all":
            sections = tuple(sorted({s.section for s in visible}))
        for lang in options.feed_languages(ctx.languages):
            public = sorted((s for s in visible if s.has(lang)), key=archive_key)
            yield from _feed_set(f"jsonfeed/{lang}", None, public, lang, ctx)
            for section in sections:
                chosen = [s for s in public if s.section == section]
                yield from _feed_set(f"jsonfeed/{lang}/{section}", section, chosen, lang, ctx)

    def validate_outputs(self, out: Path, ctx: Context[FeedOptions]) -> None:
        super().validate_outputs(out, ctx)
        for path in sorted((out / "jsonfeed").rglob("*.json")):
            check_feed(path, ctx.diagnostics)


def item_name(lang: str) -> str:
    """The fragment holding a story's item in the feeds of `lang`."""
    return f"item.{lang}"


def _feed_set(
    base: str,
    section: str | None,
    stories: Sequence[StorySummary],
    lang: str,
    ctx: Context[FeedOptions],
) -> Iterator[OutputFile]:
    """The subscription feed `<base>.json` and its archive pages `<base>/archive/<n>.json`
    (1 the oldest); `next_url` leads from each to the next older one."""
    options = ctx.options
    pages, current = paginate(stories, options.limit, options.archive_size)
    urls = [ctx.urls.output(f"{base}/archive/{n}.json") for n in range(1, len(pages) + 1)]
    head = _head(section, lang, ctx)

    def document(path: str, chosen: Sequence[StorySummary], extra: Node) -> OutputFile:
        items = [json.loads(ctx.fragment(s, item_name(lang))) for s in chosen]
        feed = head | extra | {"feed_url": ctx.urls.output(path), "items": items}
        return OutputFile(path, json_document(feed))

    hubs = {"hubs": [{"type": "WebSub", "url": options.hub}]} if options.hub else {}
    older = {"next_url": urls[-1]} if urls else {}
    yield document(f"{base}.json", current, hubs | older)
    for n, page in enumerate(pages, start=1):
        newest_first = sorted(page, key=recency_key, reverse=True)
        older = {"next_url": urls[n - 2]} if n > 1 else {}
        yield document(f"{base}/archive/{n}.json", newest_first, older)


def _head(section: str | None, lang: str, ctx: Context[FeedOptions]) -> Node:
    """What every document of one feed shares."""
    publisher = ctx.config.publisher
    topic = section_name(section, lang) if section else term("latest_news", lang)
    head: Node = {
        "version": VERSION,
        "title": term("feed_title", lang, publisher=publisher.name, section=topic),
        "description": term("feed_subtitle", lang, publisher=publisher.name),
        "home_page_url": publisher.url,
        "language": lang,
        "authors": [{"name": publisher.name, "url": publisher.url}],
    }
    if publisher.icon:
        head["icon"] = head["favicon"] = ctx.urls.site_media(publisher.icon)
    return head


def make_item(story: Story, lang: str, ctx: Context[FeedOptions]) -> Node:
    """One language variant as a JSON Feed item: the whole body, its images, its dates."""
    variant = story.variant(lang)
    urls = ctx.urls

    def image_url(image: Image) -> str:
        return urls.image(story.slug, image)

    body = render_body(story, variant, image_url, xml_lang=False)
    people = [{"name": p.name} | ({"url": p.url} if p.url else {}) for p in variant.byline.people]
    organisation = variant.byline.organisation
    item: Node = {
        "id": story.variant_id(lang),
        "url": urls.article(story.slug, lang),
        "title": variant.headline,
        "content_html": to_string(body),
        "summary": variant.summary,
        "date_published": rfc3339(story.published),
        "date_modified": rfc3339(story.updated),
        "authors": people + ([{"name": organisation}] if organisation else []),
        "tags": _tags(story, lang),
        "language": lang,
    }
    if story.images:
        item["image"] = image_url(story.images[0])
        item["attachments"] = [
            _attachment(image, image_url(image), lang, story) for image in story.images
        ]
    return item


def _tags(story: Story, lang: str) -> list[str]:
    """The section's name, then each subject's; a name only once, whatever its case (the
    section "Politics" and the Media Topic "politics")."""
    names = [section_name(story.section, lang)]
    names += [s.name.get(lang, story.original_lang) or s.code for s in story.subjects]
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.casefold(), name)
    return list(first.values())


def _attachment(image: Image, url: str, lang: str, story: Story) -> Node:
    """An image as an attachment, titled with its caption (else its text alternative)."""
    caption = image.caption.get(lang, story.original_lang) if image.caption else None
    title = caption or image.alt.get(lang, story.original_lang)
    attachment: Node = {"url": url, "mime_type": image.media_type, "size_in_bytes": image.size}
    return attachment | ({"title": title} if title else {})
