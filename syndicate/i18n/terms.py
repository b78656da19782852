"""Fixed phrases ("Updated", "Contents", "Photo") per language: syndicate's own, from
`terms/<lang>.yaml` in this package, under the site's (`terms/<lang>.yaml` beside
`syndicate.yaml`, read into `SiteConfig.terms` and put in use by the build engine for a run)."""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources

import yaml

from syndicate.i18n.locales import fallback_tags
from syndicate.model.site import fill

FALLBACK = "en"
_site: Mapping[str, Mapping[str, str]] = {}
"""The site's own phrases by language tag, over syndicate's (`use_site_terms`)."""
_here = threading.local()
"""The same, for one thread while it runs a batch of stories (`site_terms`), over `_site`."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml when PyYAML has it: seven times faster on these files, the same values (checked
for every terms file in tests/test_fast_paths.py), and they are syndicate's own files, so
PyYAML's messages for a broken one are not needed."""


@cache
def _table(lang: str) -> dict[str, str]:
    folder = resources.files("syndicate.i18n").joinpath("terms")
    file = folder.joinpath(f"{lang}.yaml")
    if not file.is_file():
        return {}
    data = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    return {str(k): str(v) for k, v in data.items()}


def available_languages() -> tuple[str, ...]:
    folder = resources.files("syndicate.i18n").joinpath("terms")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def _lookup_table(lang: str) -> dict[str, str]:
    return next((table for tag in fallback_tags(lang) if (table := _table(tag))), {})


def has_terms(lang: str) -> bool:
    """Whether `lang` has its own phrases (its terms file, or that of a tag it falls back to:
    `ar` for `ar-SA`, `zh-Hans` for `zh-CN`, `he` for `iw`); the others are shown in English."""
    return bool(_lookup_table(lang))


def has_term(key: str) -> bool:
    """Whether `key` is one of syndicate's phrases (every one is in English, the language
    every other falls back to)."""
    return key in _table(FALLBACK)


def reference() -> dict[str, str]:
    """syndicate's English phrases, in the order of its file: every key a terms file may
    hold (besides `section.<code>` for a site's own sections)."""
    return dict(_table(FALLBACK))


def placeholders(key: str) -> list[str]:
    """The `{placeholders}` of syndicate's English phrase `key`, in order."""
    parsed = string.Formatter().parse(_table(FALLBACK).get(key, ""))
    return [name for _, name, _, _ in parsed if name]


def use_site_terms(terms: Mapping[str, Mapping[str, str]]) -> None:
    """Put a site's own phrases (by language tag) in use over syndicate's, for this process
    until the next call: the build engine calls it with `SiteConfig.terms` when a run starts
    and in every worker, so every phrase of a run comes from one table."""
    global _site
    _site = terms


@contextmanager
def site_terms(terms: Mapping[str, Mapping[str, str]]) -> Iterator[None]:
    """Put a site's phrases in use for the calling thread alone, within the block (over
    `use_site_terms`'s): the threads of a Dask worker (`dask worker` starts one a core) run
    batches of every export sent to the cluster at once, and two sites exported together
    got each other's phrases."""
    before = getattr(_here, "terms", None)
    _here.terms = terms
    try:
        yield
    finally:
        _here.terms = before


def _site_terms() -> Mapping[str, Mapping[str, str]]:
    terms: Mapping[str, Mapping[str, str]] | None = getattr(_here, "terms", None)
    return _site if terms is None else terms


def lookup(key: str, lang: str, *, english: bool = True) -> str | None:
    """The phrase `key` in `lang`: the site's for the language, then for the tags it falls
    back to (`pt` for `pt-BR`, `zh-Hans` for `zh-CN`: `fallback_tags`), then syndicate's for
    the same, then (unless not `english`) the site's and syndicate's English; None when none
    has it."""
    tags = fallback_tags(lang)
    site = _site_terms()
    for table in (*(site.get(t) for t in tags), *(_table(t) for t in tags)):
        if table is not None and key in table:
            return table[key]
    if english and FALLBACK not in tags:
        for table in (site.get(FALLBACK), _table(FALLBACK)):
            if table is not None and key in table:
                return table[key]
    return None


def term_language(key: str, lang: str) -> str:
    """The language the phrase `key` is written in on a page in `lang`: `lang` when the
    language has it (`translated`), else English, which `lookup` gives in its place: a page
    marks such a phrase as English (its language and direction), so that a right-to-left
    page shows "By <name>" in its order and a screen reader reads it in English."""
    return lang if translated(key, lang) else FALLBACK


def translated(key: str, lang: str) -> bool:
    """Whether the phrase `key` is `lang`'s own: syndicate's terms for the language give it,
    whatever it says (French `photo: Photo`, Arabic `feed_title: '{publisher}: {section}'`
    are translations), or the site's do with another text than syndicate's English (a
    site's file that is `syndicate terms` saved as it is, still to translate)."""
    tags = fallback_tags(lang)
    if any(key in _table(tag) for tag in tags):
        return True
    english = _table(FALLBACK).get(key)
    return any(
        key in table and table[key] != english
        for tag in tags
        if (table := _site_terms().get(tag)) is not None
    )


_STOP = "\ue002"
"""A private-use mark after a value that ends a sentence, while a phrase is filled in."""
_ENDS_SENTENCE = re.compile("[.!?…][\u2069\ue001]*\\Z")
"""A value's last character a full stop (or "!", "?", "…"), but for the closing marks of an
isolate (U+2069, `text.isolate`'s)."""


def _stop_marked(value: str) -> str:
    value = value.replace(_STOP, "")
    return f"{value}{_STOP}" if _ENDS_SENTENCE.search(value) else value


def _one_stop(text: str) -> str:
    """A filled phrase without the full stop that follows a value ending in one: "removed by
    YCPress Ltd.." is "removed by YCPress Ltd.", "© YCPress Ltd.. All rights reserved." is
    "© YCPress Ltd. All rights reserved." (as a style guide writes it)."""
    return text.replace(f"{_STOP}.", "").replace(_STOP, "")


def term(key: str, lang: str, **values: str) -> str:
    """The phrase `key` in `lang` (see `lookup`), with `{placeholders}` filled in (as
    `fill` does: a site's phrase reaches no attribute and pads nothing), and no second full
    stop after a value that ends in one ("YCPress Ltd.")."""
    text = lookup(key, lang)
    if text is None:
        raise KeyError(f"no term {key!r}")
    if values:
        return _one_stop(fill(text, **{k: _stop_marked(v) for k, v in values.items()}))
    if ("{" in text or "}" in text) and not placeholders(key):
        return fill(text)  # a phrase without placeholders: `{{` is a brace there too
    return text  # (unfilled: a phrase as written, the template a reader of it inverts)
