"""Checking Atom and RSS outputs: the Atom rules RELAX NG cannot express, the official Atom
schema when its path is given, and the structure of RSS 2.0 with English RFC 822 dates."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.atomrules import Problem
from syndicate.formats.atomrules import atom_problems as rfc4287_problems
from syndicate.formats.atomrules import language_problems as _language
from syndicate.formats.checking import parse_xml
from syndicate.formats.feeds.values import atom_values, rss_values
from syndicate.xmlbase import ATOM_NS, safe_parser

ATOM_RNG_ENV = "SYNDICATE_ATOM_RNG"
"""Environment variable naming the official Atom RELAX NG schema (`atom.rng`)."""
# RFC 822 as RFC 2822 writes it, with the English day and month names every reader expects
# (the zone as an offset, or GMT as partners' examples write UTC).
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT)\Z"
)


@cache
def load_relaxng(path: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(path), safe_parser()))


def check_atom_file(path: Path, diags: Diagnostics) -> None:
    """Report every problem of one Atom document; RELAX NG too when $SYNDICATE_ATOM_RNG is set."""
    tree = _parse(path, diags)
    if tree is None:
        return
    problems = list(atom_problems(tree.getroot()))
    rng = os.environ.get(ATOM_RNG_ENV)
    if rng:
        try:
            problems += relaxng_problems(tree, load_relaxng(Path(rng)))
        except (OSError, etree.RelaxNGParseError, etree.XMLSyntaxError) as exc:
            diags.error("atom.rng-missing", f"cannot load the Atom RELAX NG schema: {exc}", rng)
    _report(path, problems, diags)


def check_rss_file(path: Path, diags: Diagnostics) -> None:
    tree = _parse(path, diags)
    if tree is not None:
        _report(path, list(rss_problems(tree.getroot())), diags)


def relaxng_problems(tree: etree._ElementTree, schema: etree.RelaxNG) -> list[Problem]:
    if schema.validate(tree):
        return []
    return [(e.line, "atom.rng", e.message) for e in schema.error_log]


def atom_problems(feed: etree._Element) -> Iterator[Problem]:
    """RFC 4287 rules outside the schema and the promises syndicate makes about its feeds
    (`atomrules`, shared with the OPDS catalog), and the values the W3C Feed Validator checks
    (`values.py`)."""
    yield from rfc4287_problems(feed)
    if feed.tag == f"{{{ATOM_NS}}}feed":
        yield from atom_values(feed)


def rss_problems(rss: etree._Element) -> Iterator[Problem]:
    """RSS 2.0's required elements, BCP 47 language, RFC 822 dates, unique guids, and the
    values the W3C Feed Validator checks (`values.py`)."""
    channel = rss.find("channel")
    if rss.tag != "rss" or rss.get("version") != "2.0" or channel is None:
        yield rss.sourceline or 0, "rss.root", 'expected <rss version="2.0"> with a <channel>'
        return
    for name in ("title", "link", "description"):
        if not channel.findtext(name):
            yield channel.sourceline or 0, "rss.channel", f"the channel has no {name}"
    yield from _language(channel, channel.findtext("language"), "rss.lang")
    yield from _dates(channel, "lastBuildDate")
    guids: set[str] = set()
    for item in channel.iterfind("item"):
        line = item.sourceline or 0
        if not (item.findtext("title") or item.findtext("description")):
            yield line, "rss.item", "an item needs a title or a description"
        guid = item.findtext("guid")
        if not guid:
            yield line, "rss.guid", "an item without guid cannot be recognised when it changes"
        elif guid in guids:
            yield line, "rss.guid", f"guid {guid!r} appears twice"
        guids.add(guid or "")
        yield from _dates(item, "pubDate")
    yield from rss_values(channel)


def _dates(parent: etree._Element, name: str) -> Iterator[Problem]:
    from email.utils import parsedate_to_datetime  # when a feed is checked, not at start-up

    for element in parent.iterfind(name):
        text = element.text or ""
        if not RFC822.match(text):
            yield element.sourceline or 0, "rss.date", f"{name} {text!r} is not RFC 822 in English"
            continue
        try:
            parsedate_to_datetime(text)
        except ValueError:
            yield element.sourceline or 0, "rss.date", f"{name} {text!r} is not a real date"


def _parse(path: Path, diags: Diagnostics) -> etree._ElementTree | None:
    return parse_xml(path, diags)


def _report(path: Path, problems: list[Problem], diags: Diagnostics) -> None:
    for line, code, message in sorted(problems, key=lambda problem: problem[0]):
        diags.error(code, message, f"{path}:{line}")
