"""`jsonfeed`: JSON Feed 1.1, `jsonfeed/<lang>.json` and `jsonfeed/<lang>/<section>.json`.

The feeds of the Atom and RSS formats in another syntax, planned by the same code
(`syndicate.formats.feeds.documents`): the same `feeds` options, stories, order (newest first)
and paging (the newest `limit` entries, older ones on archive pages `.../archive/<n>.json` that
`next_url` walks back through). JSON Feed has no deletion record: a story killed after it was
public is, like in RSS, an item with the same id carrying the notice. Each story's items are
rendered once, in its own work, and kept as fragments; a document is assembled from them."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from syndicate.formats.contract import Context, Fragment, OutputFile, Writer, json_document
from syndicate.formats.feedoptions import FeedOptions
from syndicate.formats.feeds.documents import (
    Document,
    interleaved,
    is_killed,
    make_tombstone,
    notice_places,
    plan_documents,
    planned,
    unknown_sections,
)
from syndicate.formats.jsonfeed.validate import check_feed
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import stated_tag
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
    section_feeds = True

    def story_files(self, story: Story, ctx: Context[FeedOptions]) -> Iterator[Fragment]:
        visible, killed = story.is_visible(ctx.now), is_killed(story, ctx)
        for lang in ctx.options.feed_languages(ctx.languages):
            if story.has(lang) and (visible or killed):
                item = make_item(story, lang, ctx) if visible else kill_item(story, lang, ctx)
                text = json.dumps(item, ensure_ascii=False, sort_keys=True)
                yield Fragment(item_name(lang), text.encode("utf-8"))

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[FeedOptions]
    ) -> Iterable[OutputFile]:
        for document in plan_documents(stories, ctx, self.name, self.media_type, extension=".json"):
            yield planned(document, functools.partial(_document, document, ctx))

    def check_stories(self, stories: Sequence[StorySummary], ctx: Context[FeedOptions]) -> None:
        unknown_sections(ctx.options, stories, ctx)

    def validate_outputs(self, out: Path, ctx: Context[FeedOptions]) -> None:
        super().validate_outputs(out, ctx)
        from syndicate.formats.checking import output_files

        for path in output_files(out, "jsonfeed", (".json",), ctx.diagnostics):
            check_feed(path, ctx.diagnostics)


def item_name(lang: str) -> str:
    """The fragment holding a story's item in the feeds of `lang`."""
    return f"item.{lang}"


def _document(document: Document, ctx: Context[FeedOptions]) -> bytes:
    """One feed document from its plan: the head, then its items and notices, newest first."""
    lang, head = document.lang, document.head
    items = ctx.fragments(document.stories, item_name(lang))
    notices = ctx.fragments(document.killed, item_name(lang))
    chosen = interleaved(notice_places(document), items, notices)
    links = {link.rel: link.href for link in head.links}
    feed = _head(head.title, head.subtitle, head.site_url, lang, ctx) | {
        "feed_url": head.self_url,
        "items": [json.loads(item) for item in chosen],
    }
    if "hub" in links and not head.archive:
        feed["hubs"] = [{"type": "WebSub", "url": links["hub"]}]
    if "prev-archive" in links:  # the next older page, as JSON Feed walks back in time
        feed["next_url"] = links["prev-archive"]
    return json_document(feed)


def _head(title: str, description: str, home: str, lang: str, ctx: Context[FeedOptions]) -> Node:
    """What every document of one feed shares (`home`: the site it belongs to, as the Atom
    and RSS feeds link it)."""
    publisher = ctx.config.publisher
    head: Node = {
        "version": VERSION,
        "title": title,
        "description": description,
        "home_page_url": home,
        "language": stated_tag(lang),
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

    body = render_body(story, variant, image_url, xml_lang=False, corrected=True)
    # JSON Feed has authors only: a photographer is none, unless the byline names no author
    byline = variant.byline
    credited = byline.authors if byline.authors or byline.organisation else byline.people
    people = [{"name": p.name} | ({"url": p.url} if p.url else {}) for p in credited]
    organisation = byline.organisation
    item: Node = {
        "id": story.variant_id(lang),
        "url": urls.article(story.slug, lang),
        "title": variant.headline,
        "content_html": to_string(body),
        "summary": variant.summary,
        "date_published": rfc3339(story.public_since_for(lang)),
        "date_modified": rfc3339(story.public_updated_for(lang)),
        "authors": people + ([{"name": organisation}] if organisation else []),
        "tags": _tags(story, lang),
        "language": stated_tag(lang),
    }
    images = story.images_for(lang)  # the variant's picture first: the item's `image`
    if images:
        item["image"] = image_url(images[0])
        taken: set[str] = set()
        item["attachments"] = [
            _attachment(image, image_url(image), lang, story, taken) for image in images
        ]
    return item


def kill_item(story: Story, lang: str, ctx: Context[FeedOptions]) -> Node:
    """The item that replaces a story killed or withdrawn after it was public: its id, the
    notice, the kill's time; nothing of the story."""
    notice = make_tombstone(story, lang, ctx)
    return {
        "id": notice.id,
        "url": notice.link,
        "title": notice.title,
        "content_text": notice.comment,
        "date_published": rfc3339(notice.when),
        "date_modified": rfc3339(notice.when),
        "language": stated_tag(lang),
    }


def _tags(story: Story, lang: str) -> list[str]:
    """The section's name, then each subject's; a name only once, whatever its case (the
    section "Politics" and the Media Topic "politics")."""
    names = [section_name(story.section, lang)]
    names += [s.name.get(lang, story.original_lang) or s.code for s in story.subjects]
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.casefold(), name)
    return list(first.values())


def _attachment(image: Image, url: str, lang: str, story: Story, taken: set[str]) -> Node:
    """An image as an attachment, titled with its caption (else its text alternative). JSON
    Feed takes attachments of the same title for "alternate representations of the same
    thing" (one recording in two formats): an image whose caption another image of the item
    already has as its title is titled with its text alternative, and with none when that is
    taken too (`taken`, the item's titles so far), so that two photos under one caption stay
    two pictures."""
    caption = image.caption.get(lang, story.original_lang) if image.caption else None
    alt = image.alt.get(lang, story.original_lang)
    title = next((text for text in (caption, alt) if text and text not in taken), None)
    attachment: Node = {"url": url, "mime_type": image.media_type, "size_in_bytes": image.size}
    if title is None:
        return attachment
    taken.add(title)
    return attachment | {"title": title}
