"""Reading `syndicate.yaml` into a `SiteConfig`: YAML with line numbers, checked against
`site.schema.json`, then the facts a schema cannot check (time zone, language tags, files)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicate.diagnostics import Diagnostics
from syndicate.i18n.locales import is_valid_tag
from syndicate.i18n.terms import has_terms
from syndicate.model.site import (
    CONFIG_NAME,
    DEFAULT_ARTICLE_URL,
    DEFAULT_IMAGE_URL,
    TEMPLATES,
    Publisher,
    SiteConfig,
)
from syndicate.model.source import SourceRef
from syndicate.readers.schemas import check
from syndicate.readers.textfile import read_text
from syndicate.readers.yamlsource import YamlProblem, parse_yaml


def find_site(start: Path) -> Path | None:
    """The site folder: `start` or the nearest folder above it that holds `syndicate.yaml`
    (as git finds its repository), or None."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_config(path: Path, shown: str, diags: Diagnostics) -> SiteConfig | None:
    """Read and check the site configuration; None (with diagnostics) if it is unusable."""
    if not path.is_file():
        diags.error(
            "config.missing",
            f"no site configuration at {shown}; create it (see README, 'Site configuration')"
            " or pass --config",
            shown,
        )
        return None
    text = read_text(path, shown, diags)
    if text is None:
        return None
    try:
        doc = parse_yaml(text)
    except YamlProblem as exc:
        diags.error("config.yaml", exc.message, SourceRef(shown, exc.line))
        return None
    data = doc.data
    if not isinstance(data, dict):
        diags.error("config.schema", "the configuration must be a mapping of settings", shown)
        return None
    problems = list(check(data, "site.schema.json"))
    for where, message in problems:
        diags.error("config.schema", message, SourceRef(shown, doc.line(where)))
    if problems:
        return None
    ok = True
    root = path.parent
    tz = str(data.get("timezone", "UTC"))
    try:
        ZoneInfo(tz)
    # A folder of the zone database ("America") or an overlong name is an OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        diags.error(
            "config.timezone",
            f"unknown time zone {tz!r} (use an IANA name such as Europe/Brussels)",
            SourceRef(shown, doc.line(("timezone",))),
        )
        ok = False
    for i, tag in enumerate(data["languages"]):
        at = SourceRef(shown, doc.line(("languages", i)))
        if not is_valid_tag(tag):
            diags.error("config.language", f"unknown language tag {tag!r}", at)
            ok = False
        elif not has_terms(tag):
            diags.warning(
                "config.terms",
                f'syndicate has no terms file for {tag!r}: its fixed phrases ("Updated",'
                ' "Contents", section names) are shown in English; add'
                f" syndicate/i18n/terms/{tag}.yaml to translate them",
                at,
            )
    pub = data["publisher"]
    for key in ("logo", "icon"):
        if key in pub and not (root / pub[key]).is_file():
            diags.error(
                "config.file",
                f"publisher {key} {pub[key]!r} does not exist",
                SourceRef(shown, doc.line(("publisher", key))),
            )
            ok = False
    if not ok:
        return None
    links = data.get("links", {})
    known = {"publisher", "base_url", "timezone", "languages", "links"}
    return SiteConfig(
        publisher=Publisher(
            name=pub["name"],
            url=pub["url"],
            logo=root / pub["logo"],
            icon=root / pub["icon"] if "icon" in pub else None,
            email=pub.get("email"),
        ),
        base_url=data["base_url"],
        timezone=tz,
        languages=tuple(data["languages"]),
        article_url=links.get("article", DEFAULT_ARTICLE_URL),
        image_url=links.get("image", DEFAULT_IMAGE_URL),
        sections={k: v for k, v in data.items() if k not in known},
        lines=dict(doc.lines),
        source=SourceRef(shown),
        # Absolute: a process may load several sites (tests, an embedding application), and
        # the templates are cached by their folder.
        templates=(root / TEMPLATES).absolute() if (root / TEMPLATES).is_dir() else None,
    )
