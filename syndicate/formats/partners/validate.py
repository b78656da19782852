"""`validate --outputs` on a profile's feeds: RSS 2.0 (the `rss` format's checks), then every
rule of the profile, each problem at its line and named by its rule (`out/partners/msn/en.xml:42:
error: title is 12 characters; MSN requires 21-150 [partner.msn.title-length]`).

A kill item (the notice title of the feed's language) is held to the profile's kill signal,
not to the rules of stories."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path

from lxml import etree

from syndicate.diagnostics import Diagnostics, Severity
from syndicate.formats.feeds.validate import rss_problems
from syndicate.formats.partners import rules as rule
from syndicate.formats.partners.dialect import has_html_tag, holds_markup
from syndicate.formats.partners.profiles import SNF_NS, ProfileOptions
from syndicate.formats.partners.rules import Broken, Rules
from syndicate.i18n.locales import is_valid_tag, stated_tag
from syndicate.i18n.terms import term
from syndicate.xmlbase import ATOM_NS, CONTENT_NS, DC_NS, DCTERMS_NS, MEDIA_NS, clark, safe_parser

REFERENCE = re.compile(r"&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
"""A character reference left in a description once parsed (`&amp;`, `&lt;i&gt;`): HTML
escaped for RSS 2.0's description, which a plain-text reader shows as it is ("AT&amp;T")."""
UTC_ZONE = re.compile(r" (\+0000|GMT)\Z")
URL = re.compile(r"^https?://\S+\Z")
Problem = tuple[int, Severity, str, str]
"""(line, severity, rule or code, message)."""


def check_feed(path: Path, rules: Rules, diags: Diagnostics, languages: Sequence[str] = ()) -> None:
    """Report every problem of one profile feed; `languages`, the site's, say which wrote its
    kill notices where the channel states another tag (`he`, for a site's `iw`)."""
    try:
        tree = etree.parse(str(path), safe_parser())
    except etree.XMLSyntaxError as exc:
        diags.error("output.xml", f"not well-formed XML: {exc.msg}", f"{path}:{exc.lineno}")
        return
    root = tree.getroot()
    for line, code, message in sorted(rss_problems(root), key=lambda problem: problem[0]):
        if code != "rss.permalink":  # the profile's guid rule says it, named for the partner
            diags.error(code, message, f"{path}:{line}")
    channel = root.find("channel")
    if channel is None:
        return
    notice = _notice_title(_site_tag(channel.findtext("language"), languages))
    problems = [*_channel(channel, rules, path.stat().st_size, notice)]
    newest = _date(channel.findtext("lastBuildDate"))
    for item in channel.iterfind("item"):
        problems += _item(item, rules, newest, notice)
    for line, severity, name, message in problems:
        report = diags.error if severity == "error" else diags.warning
        report(rules.code(name), message, f"{path}:{line}")


def _channel(
    channel: etree._Element, rules: Rules, size: int, notice: str | None
) -> Iterator[Problem]:
    options, line = rules.options, channel.sourceline or 0
    yield from _broken(line, rules.feed_bytes(size))
    description = channel.find("description")
    if description is not None:
        text = description.text or ""
        # RSS 2.0's description is escaped HTML: its length is that of the text it shows.
        broken = rules.channel_description(text if options.plain_description else unescape(text))
        yield from _broken(description.sourceline or line, broken)
    if options.snf_logo and not channel.findtext(f"{{{SNF_NS}}}logo/url"):
        yield line, "error", rule.LOGO, f"the channel has no snf:logo; {rules.label} shows it"
    hubs = [link for link in channel.iterfind(clark(ATOM_NS, "link")) if link.get("rel") == "hub"]
    if options.require_hub and not hubs:
        yield line, "error", rule.HUB, f"no WebSub hub link; {rules.label} requires one"
    yield from _utc(channel.find("lastBuildDate"))
    live = [item for item in channel.iterfind("item") if not _killed(item, notice)]
    count = rules.item_count(len(live))
    if count is not None:  # the newsroom's output, not a fault of the feed: a warning
        yield line, "warning", count.rule, count.message


def _item(
    item: etree._Element, rules: Rules, newest: datetime | None, notice: str | None
) -> Iterator[Problem]:
    line = item.sourceline or 0
    yield from _guid(item)
    yield from _utc(item.find("pubDate"))
    if _killed(item, notice):
        yield from _kill(item, rules)
        published = _date(item.findtext("pubDate"))  # a kill too old to take is never taken
        if published is not None and newest is not None:
            yield from _broken(line, rules.age(published, newest))
        return
    options = rules.options
    title = item.findtext("title") or ""
    yield from _broken(line, rules.title(title))
    if options.plain_description and has_html_tag(title):
        yield line, "error", rule.TITLE, f"the title holds markup; {rules.label} allows none"
    text = item.findtext("description") or ""
    yield from _broken(line, rules.summary(text))
    if holds_markup(text):  # (words between angle brackets, "NATO<EU and US>Russia", are none)
        message = "the description holds markup; it must be plain text"
        yield line, "error", rule.SUMMARY_PLAIN, message
    elif options.plain_description and (found := REFERENCE.search(text)):
        message = (
            f"the description holds {found.group()!r}, HTML escaped (for RSS 2.0's HTML"
            f" description): {rules.label} shows it as it is; it must be plain text"
        )
        yield line, "error", rule.SUMMARY_PLAIN, message
    if options.content == "full" and item.find(clark(CONTENT_NS, "encoded")) is None:
        message = f"no content:encoded; {rules.label} requires the full text"
        yield line, "error", rule.FULL_TEXT, message
    if options.require_creator and not item.findtext(clark(DC_NS, "creator")):
        yield line, "error", rule.CREATOR, f"no dc:creator; {rules.label} requires the author"
    images = [m for m in item.iterfind(clark(MEDIA_NS, "content")) if m.get("medium") == "image"]
    if options.image_required and not images:
        yield line, "error", rule.IMAGE_MISSING, f"no image; {rules.label} requires one"
    for image in images:
        sizes = [_int(image.get(name)) for name in ("width", "height", "fileSize")]
        for broken in rules.image(*sizes):
            yield from _broken(image.sourceline or line, broken)
    published = _date(item.findtext("pubDate"))
    if published is not None and newest is not None:
        yield from _broken(line, rules.age(published, newest))
    yield from _broken(line, rules.item_bytes(len(etree.tostring(item, encoding="UTF-8"))))


def _kill(item: etree._Element, rules: Rules) -> Iterator[Problem]:
    """A kill item carries the profile's signal."""
    line, kill = item.sourceline or 0, rules.options.kill
    if kill == "drop":
        yield line, "error", rule.KILL, f"a kill item; {rules.label}'s kills leave the feed"
    elif kill == "expire" and not (
        item.findtext(clark(DCTERMS_NS, "valid")) and item.findtext(clark(DCTERMS_NS, "modified"))
    ):
        yield line, "error", rule.KILL, "a kill item without dcterms:valid and dcterms:modified"
    elif kill == "media-status" and item.find(f"{{{MEDIA_NS}}}status[@state='deleted']") is None:
        yield line, "error", rule.KILL, 'a kill item without media:status state="deleted"'


def _guid(item: etree._Element) -> Iterator[Problem]:
    guid = item.find("guid")
    if guid is not None and not URL.match(guid.text or "") and guid.get("isPermaLink") != "false":
        message = f'guid {guid.text!r} is not a URL: it needs isPermaLink="false"'
        yield guid.sourceline or 0, "error", rule.GUID, message


def _utc(element: etree._Element | None) -> Iterator[Problem]:
    if element is not None and element.text and not UTC_ZONE.search(element.text):
        message = f"{element.tag} {element.text!r} is not in UTC (+0000 or GMT)"
        yield element.sourceline or 0, "error", rule.DATES, message


def _broken(line: int, broken: Broken | None) -> Iterator[Problem]:
    """A requirement broken: an error; a recommendation missed: a warning."""
    if broken is not None:
        yield line, "warning" if broken.advice else "error", broken.rule, broken.message


def _killed(item: etree._Element, notice: str | None) -> bool:
    """Whether `item` is a kill item: titled with the feed language's notice (`kill_title`)."""
    return notice is not None and rule.is_kill_title(item.findtext("title") or "", notice)


def _site_tag(said: str | None, languages: Sequence[str]) -> str | None:
    """The site's tag of the language a channel states as `said`: the one whose `stated_tag`
    it is (`iw` for `he`), whose phrases (a site's own `terms/iw.yaml`) its kill notices are
    in; else `said`."""
    return next((tag for tag in languages if stated_tag(tag) == said), said)


def _notice_title(lang: str | None) -> str | None:
    return term("notice_title", lang) if lang and is_valid_tag(lang) else None


def _date(text: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def dialect_markup(options: ProfileOptions, path: Path, kind: str, message: str) -> bool:
    """Whether a W3C Feed Validator error is the partner's own markup, which no spelling makes
    both the validator and the partner accept (docs/formats/partners.md): SmartFormat's
    `<snf:logo><url>`, its `url` in no namespace, and its kill, Media RSS's `media:status` at
    the item's root."""
    if options.snf_logo and kind == "NotInANamespace" and message.endswith(" for url"):
        return True
    return (
        options.kill == "media-status"
        and kind == "UndefinedElement"
        and message.endswith("element: media:status")
    )
