"""Hypothesis strategies for story sources: valid stories in many scripts, written as real story
folders with yaml.safe_dump, and broken front matter of every kind."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from bench.corpus import PNG_1x1
from conftest import REPO
from hypothesis import strategies as st

from syndicate.build.engine import CACHE_ENV
from syndicate.build.state import state_folder
from syndicate.readers.budgets import MAX_YAML_CHARS

LANGUAGES = (
    "en",
    "fr",
    "ar",
    "zh-Hans",
    "de",
    "es",
    "he",
    "ja",
    "ru",
    "hi",
    "fa",
    "ko",
    "zh-Hant",
    "pt-BR",
)
# A few characters of each script, plus what is special to XML, HTML, Markdown and YAML.
SCRIPTS = (
    "abcxyzABCXYZ0123456789",
    "éèêëàçñøåßœÉÀÇÑ",
    "اللغةالعربيةسلام",
    "שלוםעברית",
    "中文新闻报道北京上海",
    "日本語のニュースカタカナ",
    "русскийЖурналист",
    "हिन्दीसमाचार",
    "😀🎉🇧🇪👩🏽‍💻",
    "한국어뉴스",
    "e\u0301a\u0308o\u0303\u0327\u0300",  # combining marks: NFC composes some, not all
    "\u00a0\u200b\u200c\u200d\u2028\u202e\u2067\u00ad",  # spaces, joiners, bidi controls
    "<>&\"'=/;:!?-*_#`[](){}|\\%@$~^+",
)
SNIPPETS = ("]]>", "</script>", "<!--", "-->", "<![CDATA[", "&amp;", "&#38;", "{{x}}", "\\u003c")
"""Text that breaks a careless writer: markup, an entity, a template, an escape. (Not `&#0;`,
which names no character: in a body it is a `text.entity` error, see `broken_files`.)"""
ALPHABET = "".join(SCRIPTS) + " "
WORDS = ("news", "Élysée", "سلام", "שלום", "新闻", "ニュース", "Новости", "समाचार")
SECTION = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})"
"""The form article.schema.json gives dates."""
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
LATEST = datetime(2025, 12, 1, tzinfo=UTC)
"""Every generated date is before the property exports' `--now`, so every story is visible."""


LINK_SYNTAX = re.compile(r"\]\(|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>")
"""What makes Markdown text a link (`[text](url)`, an autolink `<ab:c>`): a story whose body
holds `[]()` or `<ab:c>` has a link that is no http(s) or mailto URL, an error
(`body.link`), so a line of a valid story holds no such run."""


def _no_link(text: str) -> bool:
    return LINK_SYNTAX.search(text) is None


def _line(draw: st.DrawFn, min_size: int = 1) -> str:
    """One line of mixed-script text starting with a word (so it is never Markdown syntax) and
    holding XML/HTML traps, but no link (`LINK_SYNTAX`; the parts are joined by spaces, which
    neither kind of link holds between its pieces)."""
    parts = draw(
        st.lists(
            st.text(ALPHABET, min_size=1, max_size=12).filter(_no_link) | st.sampled_from(SNIPPETS),
            min_size=min_size,
            max_size=5,
        )
    )
    return draw(st.sampled_from(WORDS)) + " " + " ".join(parts)


@st.composite
def line(draw: st.DrawFn) -> str:
    return _line(draw)


@st.composite
def aware_datetimes(draw: st.DrawFn) -> list[datetime]:
    """Three ordered instants (first_created <= published <= updated), each shown in its own zone
    with a whole-minute offset, as RFC 3339 needs."""
    span = int((LATEST - EARLIEST).total_seconds())
    seconds = sorted(draw(st.lists(st.integers(0, span), min_size=3, max_size=3)))
    fraction = timedelta(microseconds=draw(st.sampled_from((0, 0, 1, 250_000, 999_999))))
    out = []
    for offset in seconds:
        moment = (EARLIEST + timedelta(seconds=offset) + fraction).astimezone(draw(st.timezones()))
        zone_offset = moment.utcoffset()
        if zone_offset is None or zone_offset % timedelta(minutes=1):
            moment = moment.astimezone(UTC)
        out.append(moment)
    return out


@dataclass
class StorySource:
    """One story as it is written to disk: story.yaml facts and each language's front matter
    and Markdown body."""

    slug: str
    meta: dict[str, Any]
    fronts: dict[str, dict[str, Any]]
    bodies: dict[str, str]
    images: list[str] = field(default_factory=list)
    escaped: bool = False
    """Front matter written as JSON with ASCII escapes (JSON is YAML): \\u escapes, surrogate
    pairs and decomposed accents must come out as the same NFC text."""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.fronts)


def _localized(draw: st.DrawFn, langs: list[str], original: str) -> Any:
    """One text for every language, or a mapping that includes the original."""
    if draw(st.booleans()):
        return draw(line())
    chosen = {original} | set(draw(st.lists(st.sampled_from(langs), max_size=len(langs))))
    return {lang: draw(line()) for lang in sorted(chosen)}


BLOCKS = {
    "paragraph": "{0}",
    "heading": "### {0}",
    "quote": "> {0}\n>\n> > {1}",
    "list": "- {0}\n- {1}",
    "ordered": "1. {0}\n2. {1}",
    "emphasis": "{0} *{2}* **{1}** `{2}`",
    "link": "{0} [{2}](https://ycpress.example/{2}?a=1&b=2) <mailto:desk@ycpress.example>",
    "raw html": '{0} <b onclick="x()">{2}</b> <script>alert(1)</script> <img src=x onerror=y>',
    "break": "{0}  \n{1}\n\n---",
    "entities": "{0} caf&#xE9; &lt;b&gt; &#8212; &#x1F600; &amp;amp; {2}",
}
"""Markdown blocks a body may hold ({0}, {1}: lines of text, {2}: a word); raw HTML is
sanitised with a warning, which an export allows."""


def _body(draw: st.DrawFn, images: list[str]) -> str:
    blocks = [_line(draw, 3)]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(tuple(BLOCKS)))
        blocks.append(BLOCKS[kind].format(_line(draw), _line(draw), draw(st.sampled_from(WORDS))))
    if images:
        blocks.insert(1, f"![]({images[0]})")
    return "\n\n".join(blocks) + "\n"


def _byline(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"organisation": draw(line())}
    people = []
    for _ in range(draw(st.integers(1, 3))):
        person: dict[str, Any] = {"name": draw(line())}
        if draw(st.booleans()):
            person["role"] = draw(line())
        if draw(st.booleans()):
            person["url"] = "https://ycpress.example/people/" + draw(SECTION)
        people.append(person)
    return {"people": people}


def _front(draw: st.DrawFn) -> dict[str, Any]:
    end = draw(st.sampled_from(("", "", "\n", " \n")))  # a final newline is no part of it
    front: dict[str, Any] = {
        "headline": draw(line()) + end,
        "summary": draw(line()) + end,
        "byline": _byline(draw),
        "dateline": draw(line()),
    }
    if draw(st.booleans()):
        front["alt_headline"] = draw(line())
    if draw(st.booleans()):
        front["keywords"] = draw(st.lists(line(), min_size=1, max_size=3))
    if draw(st.booleans()):
        front["rights"] = {"usage_terms": draw(line())}
    return front


def _places(draw: st.DrawFn, langs: list[str], original: str) -> list[dict[str, Any]]:
    places = []
    for index in range(draw(st.integers(0, 2))):
        place: dict[str, Any] = {
            "name": _localized(draw, langs, original),
            "country": draw(st.from_regex(r"[A-Z]{2}", fullmatch=True)),
        }
        if draw(st.booleans()):
            place["coordinates"] = [
                round(draw(st.floats(-90, 90)), 4),
                round(draw(st.floats(-180, 180)), 4),
            ]
        if index == 0 and draw(st.booleans()):
            place["role"] = "located"
        places.append(place)
    return places


@st.composite
def stories(draw: st.DrawFn, slug: str = "story") -> StorySource:
    """A valid story in 1-4 languages, the original among them; optional fields sometimes
    missing."""
    langs = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=4, unique=True))
    original = draw(st.sampled_from(langs))
    first, published, updated = draw(aware_datetimes())
    images = ["images/figure.png"] if draw(st.booleans()) else []
    meta: dict[str, Any] = {
        "id": f"tag:ycpress.example,2021-02-18:{slug}",
        "original_language": original,
        "section": draw(SECTION),
        "timezone": draw(st.timezone_keys(allow_prefix=False)),
        "first_created": first.isoformat(),
        "published": published.isoformat(),
        "updated": updated.isoformat(),
        "urgency": draw(st.integers(1, 9)),
        "subjects": [
            {"code": f"medtop:{code:08d}", "name": _localized(draw, langs, original)}
            for code in draw(st.sets(st.integers(1, 99_999_999), max_size=3))
        ],
        "rights": {"holder": draw(line()), "notice": _localized(draw, langs, original)},
    }
    if draw(st.booleans()):
        meta["rights"]["usage_terms"] = _localized(draw, langs, original)
    if draw(st.booleans()):
        meta["keywords"] = draw(st.lists(line(), min_size=1, max_size=3))
    meta.update(_optional_facts(draw, langs, original, published))
    if places := _places(draw, langs, original):
        meta["places"] = places
    if images:
        alt = {lang: draw(line()) for lang in langs}
        meta["images"] = [
            {
                "file": images[0],
                "alt": alt,
                # The same object twice: yaml.safe_dump writes it as an anchor and an alias.
                "caption": alt if draw(st.booleans()) else _localized(draw, langs, original),
                "credit": draw(line()),
            }
        ]
    if "correction" in meta and draw(st.booleans()):
        meta["correction"]["note"] = meta["rights"]["notice"]
    return StorySource(
        slug=slug,
        meta=meta,
        fronts={lang: _front(draw) for lang in langs},
        bodies={lang: _body(draw, images) for lang in langs},
        images=images,
        escaped=draw(st.booleans()),
    )


def _optional_facts(
    draw: st.DrawFn, langs: list[str], original: str, published: datetime
) -> dict[str, Any]:
    """Facts a story may have: genre, a correction, usage terms, related links, an embargo
    that has ended (so the story stays visible)."""
    facts: dict[str, Any] = {}
    if draw(st.booleans()):
        facts["genre"] = draw(st.sampled_from(("current", "analysis", "interview", "opinion")))
    if draw(st.booleans()):
        facts["version"] = draw(st.integers(2, 9))
        facts["correction"] = {"note": _localized(draw, langs, original)}
    if draw(st.booleans()):
        facts["embargo_until"] = (published + timedelta(hours=draw(st.integers(0, 48)))).isoformat()
    if draw(st.booleans()):
        facts["related"] = [
            {
                "url": f"https://ycpress.example/{draw(SECTION)}/",
                "title": _localized(draw, langs, original),
            }
        ]
    return facts


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def write_story(articles: Path, story: StorySource) -> Path:
    folder = articles / story.slug
    folder.mkdir(parents=True)
    (folder / "story.yaml").write_text(dump(story.meta), encoding="utf-8")
    for lang, front in story.fronts.items():
        front_matter = json.dumps(front) + "\n" if story.escaped else dump(front)
        text = f"---\n{front_matter}---\n{story.bodies[lang]}"
        (folder / f"{lang}.md").write_text(text, encoding="utf-8")
    for image in story.images:
        (folder / image).parent.mkdir(exist_ok=True)
        (folder / image).write_bytes(PNG_1x1)
    return folder


def write_site(root: Path, sources: list[StorySource]) -> Path:
    """A site folder: syndicate.yaml (the repository's, with absolute logo paths and the
    languages used) and articles/ holding `sources`. A new site: the build state of the one
    it replaces goes too (its history would hold these stories' ids at other versions)."""
    if root.exists():
        shutil.rmtree(root)
    cache = os.environ.get(CACHE_ENV)
    if cache:
        shutil.rmtree(state_folder(root / "out", Path(cache)), ignore_errors=True)
    (root / "articles").mkdir(parents=True)
    for source in sources:
        write_story(root / "articles", source)
    used = sorted({lang for s in sources for lang in s.languages})
    config = yaml.safe_load((REPO / "syndicate.yaml").read_text(encoding="utf-8"))
    for key in ("logo", "icon"):
        config["publisher"][key] = str(REPO / config["publisher"][key])
    config["languages"] = used
    (root / "syndicate.yaml").write_text(dump(config), encoding="utf-8")
    return root


# Invalid input -------------------------------------------------------------------------------

_SCHEMA = json.loads((REPO / "schemas" / "article.schema.json").read_text(encoding="utf-8"))
KNOWN_KEYS = frozenset(_SCHEMA["$defs"]["story"]["properties"]) | frozenset(
    _SCHEMA["$defs"]["variant"]["properties"]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
BAD_DATES = (
    st.text(max_size=30)
    | st.sampled_from(
        (
            "2021-02-30T10:00:00+01:00",
            "2021-02-18T25:00:00Z",
            "2021-02-18 10:00",
            "2021-02-18T10:00:00",
            "2021-02-18T10:00:00+24:00",
            "18/02/2021",
            "٢٠٢١-٠٢-١٨T10:00:00+01:00",
            "2021-02-18T10:00:00+01:00\n",
        )
    )
    | st.integers()
    | st.dates().map(str)
)
BAD_ZONES = (
    st.sampled_from(
        ("America", "Europe", "x" * 300, "Mars/Olympus", "../etc/passwd", "/UTC", "zone.tab", "")
    )
    | st.text(max_size=40)
    | st.integers()
)
BLANK = " \t\n\u00a0\u2003\u3000"
"""Whitespace: a text made only of it is no text (an empty headline crashed the Atom writer)."""
TEXT_FIELDS = ("headline", "summary", "dateline", "alt_headline")
DATE_FIELDS = ("first_created", "published", "updated", "embargo_until")
REQUIRED = {
    "story.yaml": ("id", "original_language", "section", "first_created", "published", "rights"),
    "en.md": ("headline", "summary", "byline", "dateline"),
}


def base_story() -> StorySource:
    """A small valid story (English original, French translation) that the invalid strategies
    break one file of."""
    meta = {
        "id": "tag:ycpress.example,2021-02-18:story",
        "original_language": "en",
        "section": "politics",
        "first_created": "2021-02-18T18:40:00+01:00",
        "published": "2021-02-18T19:30:00+01:00",
        "rights": {"holder": "YCPress", "notice": "© YCPress"},
    }
    fronts = {
        lang: {
            "headline": "A headline",
            "summary": "A summary.",
            "byline": {"organisation": "YCPress"},
            "dateline": "Brussels",
        }
        for lang in ("en", "fr")
    }
    return StorySource("story", meta, fronts, {"en": "Body.\n", "fr": "Texte.\n"})


def _is_zone(value: Any) -> bool:
    try:
        ZoneInfo(value)
    except Exception:  # whatever zoneinfo raises, the name is not a zone
        return False
    return True


def _is_valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


@st.composite
def broken_mapping(draw: st.DrawFn, target: str) -> dict[str, Any]:
    """The target file's fields with at least one defect: an unknown key, a missing required
    field, a text of the wrong type, a bad date."""
    source = base_story()
    data = dict(source.meta if target == "story.yaml" else source.fronts["en"])
    kinds = ("unknown", "missing", "type", "date", "zone")
    defects = draw(st.lists(st.sampled_from(kinds), min_size=1))
    for defect in defects:
        if defect == "unknown":
            key = draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in KNOWN_KEYS))
            data[key] = draw(values)
        elif defect == "missing":
            data.pop(draw(st.sampled_from(REQUIRED[target])), None)
        elif defect == "type":
            keys = ("id", "section", "original_language") if target == "story.yaml" else TEXT_FIELDS
            wrong = values.filter(lambda v: not isinstance(v, str)) | st.text(BLANK, max_size=3)
            data[draw(st.sampled_from(keys))] = draw(wrong)
        elif defect == "date":
            data[draw(st.sampled_from(DATE_FIELDS))] = draw(
                BAD_DATES.filter(lambda v: not _is_valid_date(v))
            )
        else:
            data["timezone"] = draw(BAD_ZONES.filter(lambda v: not _is_zone(v)))
    return data


FORBIDDEN = st.sampled_from("\x00\x01\x07\x0b\x0c\x1b\x1f\ufffe\uffff") | st.characters(
    min_codepoint=0xD800, max_codepoint=0xDFFF
)


def escaped_forbidden(draw: st.DrawFn, target: str) -> str:
    """A valid file but for one text holding a character XML forbids, which YAML can only
    write as an escape in a double-quoted scalar (the file's own text stays clean)."""
    source = base_story()
    data = source.meta if target == "story.yaml" else source.fronts["en"]
    text = "A" + draw(FORBIDDEN) + "B"
    if target == "story.yaml":
        data["rights"]["holder"] = text
    else:
        data[draw(st.sampled_from(TEXT_FIELDS))] = text
    return json.dumps(data) if draw(st.booleans()) else dump(data)


YAML_TOKENS = (
    "- ",
    ": ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "&a ",
    "*a",
    "!!python/object/apply:os.system ",
    "!!binary ",
    "!custom ",
    "|",
    ">-",
    "%YAML 1.1",
    "---",
    "...",
    "#",
    "'",
    '"',
    "\\",
    "\t",
    "<<: *a",
    "~",
    "null",
    "2021-02-18T19:30:00",
    "0x1F",
    ".inf",
    "yes",
    "headline",
    "byline",
)
yamlish_lines = st.builds(
    lambda indent, parts: " " * indent + "".join(parts),
    st.integers(0, 6),
    st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=6), max_size=6),
)
"""Lines made of YAML's own punctuation, tags, anchors and keywords, in random order."""


def nested(depth: int, kind: str) -> str:
    """YAML nested `depth` levels deep: flow lists, flow mappings or indented mappings."""
    if kind == "flow-list":
        return "headline: " + "[" * depth + "]" * depth
    if kind == "flow-map":
        return "headline: " + "{a: " * depth + "b" + "}" * depth
    return "\n".join(" " * i + "a:" for i in range(depth)) + " b"


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
        for i in range(8)
    ]
)


def alias_loop(draw: st.DrawFn, target: str) -> str:
    """Valid fields, and one more holding a list or mapping that contains itself through an
    alias."""
    fields = dump(base_story().meta if target == "story.yaml" else base_story().fronts["en"])
    key = draw(st.sampled_from(("keywords", "x_loop")))
    loop = draw(
        st.sampled_from(("&a [*a]", "&a [x, *a]", "&a {b: *a}", "&a [[*a]]", "&a {b: [*a]}"))
    )
    return f"{fields}{key}: {loop}\n"


def alias_expansion(draw: st.DrawFn, target: str) -> str:
    """A long value anchored once and aliased until the text is over the budget."""
    fields = dump(base_story().meta if target == "story.yaml" else base_story().fronts["en"])
    size = draw(st.integers(10_000, 100_000))
    count = MAX_YAML_CHARS // size + draw(st.integers(1, 50))
    aliases = ", ".join(["*v"] * count)
    return f"{fields}keywords: [&v {'x' * size}, {aliases}]\n"


def trailing_newline(draw: st.DrawFn, target: str) -> str:
    """A field whose pattern ends the text (a code, a tag, a date) with a final newline."""
    source = base_story()
    data = source.meta if target == "story.yaml" else source.fronts["en"]
    keys = (
        ("id", "section", "original_language", "published")
        if target == "story.yaml"
        else (
            "section",
            "published",
        )
    )
    key = draw(st.sampled_from(keys))
    data[key] = str(data.get(key, source.meta[key])) + draw(st.sampled_from(("\n", "\n\n", "\r\n")))
    return json.dumps(data) if draw(st.booleans()) else dump(data)


FORM_FEEDS = ("&#12;", "&#xC;", "&#x0c;")
"""The one control character Markdown decodes from an entity (the others it reads as U+FFFD,
a `text.entity` error where it does so in text)."""
BAD_ENTITIES = ("&#x1;", "&#11;", "&#x1F;", "&#8;", "&#xFFFE;", *FORM_FEEDS)
"""Entities of characters XML cannot carry, which an HTML block decodes."""
NO_CHARACTERS = ("&#0;", "&#146;", "&#x9D;", "&#x1;", "&#xD800;", "&#xFFFF;", "&#1114112;")
"""References to no character XML takes (a Windows-1252 code among them)."""
ENTITY_PLACES = ("A {0} b.", "## A {0}", "- A *{0}*", "> A **{0}**", '[a{0}](https://a/ "t{0}")')


@st.composite
def broken_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, new bytes) for one file of the base story: never a valid file."""
    target = draw(st.sampled_from(("story.yaml", "en.md")))
    kinds = ("text", "yaml-ish", "mapping", "escape", "bytes", "utf-8", "nesting", "bomb")
    kinds += ("alias-loop", "expansion", "newline", "entity", "tag")
    kind = draw(st.sampled_from(kinds))
    valid = dump(base_story().meta if target == "story.yaml" else base_story().fronts["en"])
    if kind == "entity":  # the front matter is fine; the body writes a forbidden character
        how = draw(st.sampled_from(("html", "markdown", "no character")))
        if how == "html":
            entity, body = draw(st.sampled_from(BAD_ENTITIES)), "<p>A {0} b.</p>"
        elif how == "markdown":
            entity, body = draw(st.sampled_from(FORM_FEEDS)), draw(st.sampled_from(ENTITY_PLACES))
        else:  # in the text of a block (Markdown reads it as U+FFFD)
            entity = draw(st.sampled_from(NO_CHARACTERS))
            body = draw(st.sampled_from(ENTITY_PLACES[:4]))
        front = dump(base_story().fronts["en"])
        return "en.md", f"---\n{front}---\nFine.\n\n{body.format(entity)}\n".encode()
    if kind == "alias-loop":
        front = alias_loop(draw, target)
    elif kind == "expansion":
        front = alias_expansion(draw, target)
    elif kind == "newline":
        front = trailing_newline(draw, target)
    elif kind == "tag":
        tag = draw(st.sampled_from(("!x", "!!python/object:os.system", "!!binary", "!<tag:a>")))
        front = valid.replace("YCPress", f"{tag} YCPress", 1)
    elif kind == "text":
        front = draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=200))
    elif kind == "yaml-ish":
        front = "\n".join(draw(st.lists(yamlish_lines, min_size=1, max_size=12)))
    elif kind == "mapping":
        front = dump(draw(broken_mapping(target)))
    elif kind == "nesting":
        front = nested(
            draw(st.integers(50, 1200)), draw(st.sampled_from(("flow-list", "flow-map", "block")))
        )
    elif kind == "escape":
        front = escaped_forbidden(draw, target)
    elif kind == "bomb":
        front = BILLION_LAUGHS
    else:
        data = draw(st.binary(min_size=1, max_size=300)) if kind == "bytes" else None
        if data is None:
            encoded = valid.encode()
            cut = draw(st.integers(0, len(encoded)))
            bad = draw(st.sampled_from((b"\xff", b"\xc3", b"\xe9t\xe9", b"\xed\xa0\x80", b"\x80")))
            data = encoded[:cut] + bad + encoded[cut:]
        return target, data if target == "story.yaml" else b"---\n" + data + b"\n---\nBody.\n"
    text = front if target == "story.yaml" else f"---\n{front}\n---\nBody.\n"
    return target, text.encode("utf-8")


ODD_KINDS = ("fifo", "socket", "link-out", "hard-link", "folder", "link-loop")
"""Story files that are not plain files of the story."""


@st.composite
def odd_files(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, kind): one file of the base story replaced by something that is not a plain
    file of the story."""
    return draw(st.sampled_from(("story.yaml", "en.md", "fr.md", "de.md"))), draw(
        st.sampled_from(ODD_KINDS)
    )


def make_odd(path: Path, kind: str, outside: Path) -> None:
    """Put an odd file of `kind` at `path`; `outside` is a file outside the story."""
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
    elif kind == "link-out":
        path.symlink_to(outside)
    elif kind == "hard-link":
        os.link(outside, path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(path.name)
