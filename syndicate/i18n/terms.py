"""Fixed phrases ("Updated", "Contents", "Photo") per language, from `terms/<lang>.yaml`."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

FALLBACK = "en"
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
    return _table(lang) or _table(lang.split("-")[0])


def has_terms(lang: str) -> bool:
    """Whether `lang` has its own phrases (its terms file, or its primary language's); the
    others are shown in English."""
    return bool(_lookup_table(lang))


def has_term(key: str) -> bool:
    """Whether `key` exists (in English, the fallback every language falls back to)."""
    return key in _table(FALLBACK)


def term(key: str, lang: str, **values: str) -> str:
    """The phrase `key` in `lang` (falling back to its primary language, then English),
    with `{placeholders}` filled in."""
    text = _lookup_table(lang).get(key) or _table(FALLBACK).get(key)
    if text is None:
        raise KeyError(f"no term {key!r}")
    return text.format(**values) if values else text
