"""A profile's RSS: what it changes in the RSS 2.0 of the feed writer (an `RssDialect` for the
feedgen adapter). The items and channels are made by the feeds code; a profile only adds its
partner's elements, drops what the partner does not want, and writes dates its partner's way.

How a killed or withdrawn story leaves a profile's feed (`kill`), each partner's idiom:

- `notice`: the item of the `rss` format, same guid, the notice as title and description and
  the kill's time as its date, so the partner replaces the story with the notice;
- `expire` (MSN): the same item, expired (`dcterms:valid` at the kill's time, in the past once
  read) and marked newer (`dcterms:modified`), MSN's documented takedown;
- `media-status` (SmartNews): the same item with `<media:status state="deleted"/>`, its date
  moved to the kill's time, SmartFormat's documented deletion;
- `drop`: the story leaves the feed (its page is a notice, out of the indexes)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import regex
from lxml import etree
from lxml.builder import ElementMaker

from syndicate.formats.feeds.feedgen_adapter import Entry, Feed, RssDialect, Tombstone
from syndicate.formats.partners.profiles import SNF_NS, ProfileOptions
from syndicate.i18n.dates import rfc822, rfc3339_utc
from syndicate.model.body import one_spaced
from syndicate.model.site import fill
from syndicate.xmlbase import CONTENT_NS, DCTERMS_NS, MEDIA_NS, clark

Values = Callable[[Entry], Mapping[str, str]]
"""What an item's `item_elements` texts may name, for one entry."""

RSS = ElementMaker()  # RSS 2.0's own elements are in no namespace
MEDIA = ElementMaker(namespace=MEDIA_NS)
DCTERMS = ElementMaker(namespace=DCTERMS_NS)
SNF = ElementMaker(namespace=SNF_NS)
# No nsmap: the feed's root declares every namespace a profile uses (`all_namespaces`), so
# an element added to an item or the channel takes the prefix declared there.


def rss_dialect(options: ProfileOptions, values: Values, logo_url: str | None = None) -> RssDialect:
    """The dialect of a profile. `values`: the placeholders of an entry; `logo_url`: the
    publisher's logo for `snf:logo`."""
    namespaces = options.all_namespaces()

    def item(element: etree._Element, entry: Entry) -> None:
        if options.content == "summary":
            _remove(element, clark(CONTENT_NS, "encoded"))
        if options.plain_description:  # the text itself, not RSS 2.0's HTML (escaped twice)
            _set(element, "description", entry.summary)
            # and a title without the tags a pasted headline may hold (MSN: "No HTML tags")
            _set(element, "title", plain_title(element.findtext("title") or ""))
        changed = entry.updated if options.pubdate == "updated" else entry.published
        _date(element, "pubDate", changed, options)
        if options.thumbnail and entry.media:
            first = entry.media[0]
            size = {"width": str(first.width), "height": str(first.height)}
            element.append(MEDIA.thumbnail(url=first.url, **size))
        texts = values(entry)
        for qname, template in options.all_item_elements().items():
            _add(element, qname, fill(template, **texts), namespaces)

    def kill(element: etree._Element, tombstone: Tombstone) -> None:
        # A profile dating items by their publication that says a kill by expiry (MSN) keeps
        # the publication on the kill item, whose `dcterms:modified` says the kill: a story
        # put back after a withdrawal had its pubDate go back from the withdrawal to the
        # publication. (With `kill: notice` a new pubDate is the kill's only date.)
        expiry = options.pubdate == "published" and options.kill == "expire"
        published = tombstone.published if expiry else None
        if published is not None and options.max_age_days:
            # ... unless the partner would find it too old to take while the kill is in the
            # feed (MSN refuses items 365 days old or older): a year-old story's takedown is
            # then dated at the kill, its `dcterms:modified` saying the same.
            lasts = timedelta(days=options.max_age_days - options.tombstone_days)
            if tombstone.when - published >= lasts:
                published = None
        _date(element, "pubDate", published or tombstone.when, options)
        if options.plain_description:
            _set(element, "description", plain_text(tombstone.comment))
        when = rfc3339_utc(tombstone.when)
        if options.kill == "expire":
            element.extend([DCTERMS.modified(when), DCTERMS.valid(when)])
        elif options.kill == "media-status":
            element.append(MEDIA.status(state="deleted"))

    def channel(element: etree._Element, feed: Feed) -> None:
        built = element.find("lastBuildDate")
        if built is not None:  # partners (SmartNews) want the channel's date as pubDate too
            built.addprevious(RSS.pubDate())
        _date(element, "pubDate", feed.updated, options)
        _date(element, "lastBuildDate", feed.updated, options)
        high = options.channel_description_max
        description = element.find("description")
        if high and description is not None and len(description.text or "") > high:
            description.text = shorten(feed.author.name, high)
        if options.snf_logo and logo_url:
            element.append(SNF.logo(RSS.url(logo_url)))
        for qname, text in options.all_channel_elements().items():
            _add(element, qname, text, namespaces)

    return RssDialect(namespaces, item, kill, channel, options.plain_description)


def rfc822_as(when: datetime, options: ProfileOptions) -> str:
    """An RSS date in the profile's style: `+0000` or `GMT`, always UTC, always English."""
    text = rfc822(when)
    return text.removesuffix("+0000") + "GMT" if options.dates == "gmt" else text


def shorten(text: str, most: int) -> str:
    """`text` in at most `most` characters: cut at a word when there is one, with `…`, and
    never inside a grapheme (a letter and its accents, an emoji sequence: `👨‍👩‍👧` cut after
    its first character is another picture)."""
    if len(text) <= most:
        return text
    cut = text[: most - 1]
    space = cut.rfind(" ")
    if space > most // 2:
        cut = cut[:space]
    else:  # at the last whole grapheme
        end = 0
        for grapheme in _GRAPHEME.finditer(text):
            if grapheme.end() > len(cut):
                break
            end = grapheme.end()
        cut = cut[:end]
    return cut.rstrip() + "…"


_GRAPHEME = regex.compile(r"\X")


_HTML_ELEMENTS = (
    "a|abbr|audio|b|big|blink|br|button|cite|code|del|dfn|div|em|embed|font|form|frame|h[1-6]"
    "|i|iframe|img|input|ins|kbd|link|mark|marquee|meta|object|p|q|s|samp|script|small|span"
    "|strike|strong|style|sub|sup|svg|template|time|tt|u|var|video|wbr"
)
_HTML_TAG = re.compile(
    rf"<!--.*?-->|</?(?:{_HTML_ELEMENTS})(?=[\s/>])[^<>]*>", re.DOTALL | re.IGNORECASE
)
"""A tag of an HTML element (or a comment) in a text, as a headline pasted from a CMS holds
it: not any text between angle brackets ("NATO<EU and US>Russia" is words)."""
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|</?[A-Za-z][A-Za-z0-9:-]*(?:[\s/][^<>]*)?>", re.DOTALL)
"""What a plain-text field leaves out: every tag, whatever its name (`<x/onclick=...>`,
`<details open ontoggle=...>`), and every comment: a reader taking the field for HTML would
run it. Words between angle brackets ("NATO<EU and US>Russia") go with them (the review
found tags a narrower rule let through; safety first), `a < b` and `x<5` stay; what is left
that could start a tag, the profile's own check refuses (`holds_markup`)."""


def plain_title(text: str) -> str:
    """A headline as a partner taking its titles as plain text must get it (MSN: "No HTML
    tags"): without the HTML tags pasted into it, taken out until none is left, its other
    characters as they are (a headline is text, not HTML: `AT&amp;T` stays so written)."""
    while True:
        plain = _HTML_TAG.sub("", text)
        if plain == text:
            return one_spaced(plain)
        text = plain


def has_html_tag(text: str) -> bool:
    return _HTML_TAG.search(text) is not None


def holds_markup(text: str) -> bool:
    """Whether a plain-text field holds the start of a tag, a comment, a declaration or a
    processing instruction (`<` then a letter, `/`, `!` or `?`): not plain text."""
    return _TAG_START.search(text) is not None


_TAG_START = re.compile(r"<[A-Za-z/!?]")


def plain_text(text: str) -> str:
    """`text` as plain text: without HTML tags and comments, character references read
    (`&amp;` is `&`), spaces made one. A summary is text already; one pasted from a CMS may
    still hold markup, which a plain-text field (MSN's abstract) must not show. Tags are
    taken out and references read until neither changes anything: a tag that reading a
    reference makes (`&lt;img onerror=...&gt;`), or that taking a tag out of another makes
    (`<scr<b>ipt>`), goes too, and RSS readers taking the field for HTML get none
    (`_MARKUP`)."""
    while True:
        plain = html.unescape(_MARKUP.sub("", text))
        if plain == text:
            return one_spaced(plain)
        text = plain


def _set(parent: etree._Element, name: str, text: str) -> None:
    element = parent.find(name)
    if element is not None:
        element.text = text


def _date(parent: etree._Element, name: str, when: datetime, options: ProfileOptions) -> None:
    element = parent.find(name)
    if element is not None:
        element.text = rfc822_as(when, options)


def _remove(parent: etree._Element, tag: str) -> None:
    for element in parent.findall(tag):
        parent.remove(element)


def _add(parent: etree._Element, qname: str, text: str, namespaces: Mapping[str, str]) -> None:
    prefix, _, name = qname.partition(":")
    parent.append(RSS(clark(namespaces[prefix], name), text))
