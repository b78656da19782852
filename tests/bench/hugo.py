"""The same corpus as a Hugo site, for `hugo_ratio`: every public story variant a page, an index
and an RSS feed per language and per language and section, the images published beside them.
`write_site(articles, site, langs, now)` writes it; `hugo -s SITE` builds it."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import yaml

CONFIG = """baseURL = "https://ycpress.example/syndicate/"
title = "YCPress"
defaultContentLanguage = "{first}"
disableKinds = ["taxonomy", "term"]
rssLimit = {limit}
[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
page = ["HTML"]
{languages}"""
SINGLE = """<!DOCTYPE html>
<html lang="{{ .Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"></head>
<body><header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></header>
<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}</p>{{ .Content }}</article>
{{ range .Translations }}
<a hreflang="{{ .Lang }}" href="{{ .RelPermalink }}">{{ .Lang }}</a>{{ end }}
</body></html>
"""
LIST = """<!DOCTYPE html>
<html lang="{{ .Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><ul>
{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary | plainify }}</li>{{ end }}
</ul></body></html>
"""


def write_site(
    articles: Path, site: Path, langs: Sequence[str], now: datetime, limit: int = 50
) -> Path:
    """A Hugo site of the stories under `articles` that are public at `now`."""
    languages = "".join(
        f'[languages.{lang}]\nweight = {i}\nlanguageName = "{lang}"\n'
        for i, lang in enumerate(langs, 1)
    )
    site.mkdir(parents=True)
    config = CONFIG.format(first=langs[0], limit=limit, languages=languages)
    (site / "config.toml").write_text(config, encoding="utf-8")
    for name, text in (("single.html", SINGLE), ("list.html", LIST)):
        (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
        (site / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    for folder in sorted(articles.iterdir()):
        meta = yaml.load((folder / "story.yaml").read_bytes(), Loader=yaml.CSafeLoader)
        embargo = meta.get("embargo_until")
        if meta.get("status", "usable") != "usable" or (embargo and _when(embargo) > now):
            continue
        section = site / "content" / meta["section"]
        section.mkdir(parents=True, exist_ok=True)
        for lang in langs:
            source = folder / f"{lang}.md"
            if source.is_file():
                _page(source, section / f"{folder.name}.{lang}.md", meta, folder.name)
        if (folder / "images").is_dir():
            shutil.copytree(folder / "images", site / "static" / "media" / folder.name)
    return site


def _page(source: Path, target: Path, meta: dict[str, object], slug: str) -> None:
    _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
    variant = yaml.load(front, Loader=yaml.CSafeLoader)
    head = {
        "title": variant["headline"],
        "summary": variant["summary"],
        "date": str(meta["published"]),
        "slug": slug,
    }
    body = body.replace("](images/", f"](/media/{slug}/")
    target.write_text(f"---\n{yaml.safe_dump(head, allow_unicode=True)}---\n{body}", "utf-8")


def _when(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
