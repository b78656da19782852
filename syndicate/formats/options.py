"""Format options from `syndicate.yaml`: each writer's section checked against its `Options`
record when the configuration is loaded, every problem reported at its line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec

from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import AnyWriter, Options
from syndicate.model import SiteConfig


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """One option as `syndicate formats` and the docs list it."""

    name: str
    default: Any
    help: str


def describe(options: type[Options]) -> list[OptionInfo]:
    """The fields of an options record with their defaults and descriptions."""
    infos = []
    for f in msgspec.structs.fields(options):
        default = f.default if f.default is not msgspec.NODEFAULT else f.default_factory()
        infos.append(OptionInfo(f.encode_name, default, _meta(f.type).get("description", "")))
    return infos


def resolve_options(
    writers: Sequence[AnyWriter],
    config: SiteConfig,
    diags: Diagnostics,
    *,
    every_section: bool,
) -> dict[str, Options] | None:
    """Each writer's options by section name, or None after reporting every problem. With
    `every_section` (all the writers given) a section no writer owns is an error too; an
    export checks only its formats' sections, so it imports only the formats it writes."""
    records: dict[str, type[Options]] = {}
    for writer in writers:
        known = records.setdefault(writer.section(), writer.Options)
        if known is not writer.Options:
            diags.error(
                "plugin.section",
                f"the {writer.name} format declares other options than the other formats of"
                f" the section {writer.section()!r}; formats sharing a section share its record",
            )
            return None
    problems = len(diags.errors)
    if every_section:
        owned = {_path(section)[0] for section in records}
        for section in config.sections:
            if section not in owned:
                diags.error(
                    "config.section",
                    f"unknown section {section!r}{did_you_mean(section, owned)}",
                    config.where(section),
                )
    resolved = {
        section: _convert(section, record, config, diags) for section, record in records.items()
    }
    if len(diags.errors) > problems:
        return None
    return {section: value for section, value in resolved.items() if value is not None}


def _convert(
    section: str, record: type[Options], config: SiteConfig, diags: Diagnostics
) -> Options | None:
    path = _path(section)
    raw = _raw_section(config, path)
    if not isinstance(raw, dict):
        diags.error("config.option", f"{section}: give a mapping of options", config.where(*path))
        return None
    fields = {f.encode_name: f for f in msgspec.structs.fields(record)}
    values: dict[str, Any] = {}
    ok = True
    for key, value in raw.items():
        where = config.where(*path, key)
        if key not in fields:
            fix = did_you_mean(key, fields) or f"; known options: {', '.join(sorted(fields))}"
            diags.error("config.option", f"{section}: unknown option {key!r}{fix}", where)
            ok = False
            continue
        try:
            values[fields[key].name] = msgspec.convert(value, fields[key].type, strict=True)
        except msgspec.ValidationError as exc:
            problem = _explain(str(exc), fields[key].type)
            diags.error("config.option", f"{section}: {key}: {_short(value)} {problem}", where)
            ok = False
    if not ok:
        return None
    options = record(**values)
    for key, problem in options.check(config):
        diags.error("config.option", f"{section}: {key}: {problem}", config.where(*path, key))
        ok = False
    return options if ok else None


def _path(section: str) -> tuple[str, ...]:
    """A section's place in syndicate.yaml: `feeds` is a section, `profiles.msn` a part of one
    (each partner profile has its own options)."""
    return tuple(section.split("."))


def _raw_section(config: SiteConfig, path: tuple[str, ...]) -> Any:
    """The options written at `path`: {} when absent, and for a part of a section when
    written without options (`msn:` alone under `profiles:`)."""
    raw: Any = config.section(path[0])
    for key in path[1:]:
        if isinstance(raw, dict):
            raw = raw.get(key) or {}
    return raw


_TYPE_WORDS = {"int": "a whole number", "str": "a text", "bool": "true or false", "array": "a list"}


def _explain(message: str, hint: Any) -> str:
    """msgspec's message in words: no Python type names, no regular expressions."""
    choices = [
        value
        for arg in (hint, *get_args(hint))
        if get_origin(arg) is Literal
        for value in get_args(arg)
    ]
    if len(choices) > 1 and "enum" in message:
        return f"is not valid; expected {' or '.join(f'`{c}`' for c in choices)}"
    expected = _meta(hint).get("extra", {}).get("expected")
    if expected or "regex" in message:
        return f"is not valid; expected {expected or 'another form'}"
    message = re.sub(r" - at `\$[^`]*`", "", message)
    message = re.sub(r"`(\w+)`", lambda m: _TYPE_WORDS.get(m.group(1), m.group(1)), message)
    return f"is not valid: {message[:1].lower()}{message[1:]}"


def _meta(hint: Any) -> dict[str, Any]:
    """The `msgspec.Meta` facts of a type hint, looking inside `X | None` too."""
    found: dict[str, Any] = {}
    for candidate in (hint, *get_args(hint)):
        if get_origin(candidate) is Annotated:
            for meta in candidate.__metadata__:
                if isinstance(meta, msgspec.Meta) and meta.description:
                    found["description"] = meta.description
                if isinstance(meta, msgspec.Meta) and meta.extra:
                    found["extra"] = meta.extra
    return found


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."
