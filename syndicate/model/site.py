"""The site as configured in `syndicate.yaml`: publisher, languages, links, and the raw option
tables of the output formats (typed and checked by the formats layer)."""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syndicate.model.source import SourceRef

CONFIG_NAME = "syndicate.yaml"
VISIBLE = re.compile(
    "[^\\s\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
"""A visible character: a text with none (white space, zero-width and other invisible
characters alone) is no text; the schemas' `text` pattern and `publisher.name` say the same."""
TEMPLATES = "templates"
TERMS = "terms"
DEFAULT_ARTICLE_URL = "{base_url}html/{slug}.{lang}.html"
DEFAULT_IMAGE_URL = "{base_url}html/media/{slug}/{name}?v={digest}"
IMAGE_DIGEST = 12
"""Hex digits of an image's SHA-256 in its URLs (`{digest}`, `Image.digest`): 48 bits, which
no two versions of one photo share by chance."""
STYLESHEET = "style.css"


def is_template(rel: str) -> bool:
    """Whether a file of the site's `templates/` (its POSIX path there) is a template: an
    `.html` file or the stylesheet; any other is a static file, published as it is."""
    return rel.endswith(".html") or rel == STYLESHEET


def is_left_aside(rel: str) -> bool:
    """Whether a file of the site's `templates/` (its POSIX path there) is none of the site's:
    hidden (`.name.swp`, `.DS_Store`, in a hidden folder) or an editor's backup (`name~`).
    Such a file is no template and no static file: it is not published, not shipped to
    workers, and its edits change nothing."""
    return any(part.startswith(".") or part.endswith("~") for part in rel.split("/"))


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    url: str
    logo: Path
    icon: Path | None = None
    email: str | None = None
    logo_sha256: str = ""
    """The SHA-256 of the logo's bytes (hex), read once when the configuration loads: every
    URL of the logo carries its first digits (`digest`), so a logo replaced in place is a new
    URL. "" for a publisher made in code without it: its URLs then carry no digest."""
    icon_sha256: str = ""
    """The same for the icon."""

    def digest(self, file: Path) -> str:
        """The digest that URLs of the logo or the icon (`file`) carry: the first
        `IMAGE_DIGEST` hex digits of its bytes' SHA-256, as a story image's (`Image.digest`);
        "" when it is not known."""
        sha256 = self.logo_sha256 if file == self.logo else ""
        if file == self.icon and not sha256:
            sha256 = self.icon_sha256
        return sha256[:IMAGE_DIGEST]


@dataclass(frozen=True, slots=True)
class SiteConfig:
    publisher: Publisher
    base_url: str
    timezone: str
    languages: tuple[str, ...]
    article_url: str = DEFAULT_ARTICLE_URL
    image_url: str = DEFAULT_IMAGE_URL
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Raw option tables of output formats, by section name (`feeds`, `epub`, ...)."""
    image_gps: str = "warn"
    """`images: gps:`: a story image's place (EXIF or XMP GPS) is warned of (`warn`) or meant
    to be public (`keep`), where its own entry in story.yaml does not say (`gps:`)."""
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)
    """The line of every value of the file, by its path (`("feeds", "limit")`)."""
    source: SourceRef = field(default_factory=lambda: SourceRef(CONFIG_NAME))
    folder: Path | None = field(default=None, compare=False, repr=False)
    """The folder of syndicate.yaml, as it was given (relative to where syndicate runs, or
    absolute), which the site's relative paths start from; None for a configuration made in
    code."""
    templates: Path | None = None
    """The site's own page templates (`templates/` beside syndicate.yaml), if it has them."""
    static: tuple[str, ...] = ()
    """The static files of `templates` (fonts, scripts, images), by their POSIX path there,
    checked: the HTML format publishes them as they are (`readers.staticfiles`)."""
    terms: dict[str, dict[str, str]] = field(default_factory=dict)
    """The site's own phrases by language tag (`terms/<lang>.yaml` beside syndicate.yaml), over
    syndicate's: see `syndicate.i18n.terms`."""

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})

    def where(self, *path: str | int) -> SourceRef:
        """The position of a value of the file (or of its nearest ancestor that has one)."""
        key: tuple[str | int, ...] = path
        while key and key not in self.lines:
            key = key[:-1]
        return self.source.at(self.lines.get(key, 0))


def fill(template: str, **fields: str) -> str:
    """A template (a link's, a profile's item text) with its `{field}`s replaced, as
    `str.format` would but for the named fields only: no attribute or index lookups
    (`{base_url.__class__}`), no format specs. The configuration loader refuses templates with
    anything else; this never evaluates it."""
    out = []
    for literal, name in _parsed(template):
        out.append(literal)
        if name is not None:
            out.append(fields.get(name, ""))
    return "".join(out)


def uses_field(template: str, name: str) -> bool:
    """Whether a template (one the configuration loader accepted) holds `{name}`."""
    return any(field == name for _, field in _parsed(template))


def field_problem(name: str, spec: str | None, conversion: str | None) -> str | None:
    """Why a template's field, as `string.Formatter().parse` gives it, cannot be filled, or
    None: a format spec or a conversion, which `fill` does not apply and `str.format` would
    (`{date:>9999999999}` pads to any size, `{published:%Y}` fails on a text, `{id!r}` writes
    Python's quotes). Every template a site writes (links, terms, profiles) is held to it."""
    if spec or conversion:
        return f"write {{{name}}} without a format or conversion"
    return None


@functools.lru_cache(maxsize=64)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template's literal texts, each with the field after it (`None` after the last, and
    `""` for a field written with a format spec or a conversion, which fills with nothing).
    A site has a handful of templates and fills them once for every link: parsed once."""
    return tuple(
        (literal, name if name is None or not (spec or conversion) else "")
        for literal, name, spec, conversion in string.Formatter().parse(template)
    )
