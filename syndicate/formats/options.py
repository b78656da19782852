"""Format options from `syndicate.yaml`: each writer's section checked against its `Options`
record when the configuration is loaded, every problem reported at its line."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

from syndicate.diagnostics import (
    Diagnostics,
    did_you_mean,
    misspelt,
    out_of_range,
    shortened,
)
from syndicate.formats.contract import AnyWriter, Options, OptionsT
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
    other_sections: Collection[str] = (),
) -> dict[str, Options] | None:
    """Each writer's options by section name, or None after reporting every problem. With
    `every_section` (all the writers given) a section that neither a writer nor the caller
    (`other_sections`: `deliver`, `serve`) owns is an error too; an export checks only its
    formats' sections, so it imports only the formats it writes."""
    records: dict[str, type[Options]] = {}
    first: dict[str, AnyWriter] = {}
    # syndicate's own formats first: a plugin's record that differs is the plugin's problem,
    # whatever the order the formats were asked in.
    for writer in sorted(writers, key=lambda w: not type(w).__module__.startswith("syndicate.")):
        known = records.setdefault(writer.section(), writer.Options)
        owner = first.setdefault(writer.section(), writer)
        if known is not writer.Options:
            diags.error(
                "plugin.section",
                f"the {writer.name} format declares other options than the {owner.name}"
                f" format of the section {writer.section()!r}; formats sharing a section share"
                " its record: give the plugin a section of its own (`config_section`)",
            )
            return None
    problems = len(diags.errors)
    if every_section:
        owned = owned_sections(writers, other_sections)
        for section in config.sections:
            if section not in owned:
                report_unknown_section(config, section, owned, diags)
    resolved = {
        section: convert_section(section, record, config, diags)
        for section, record in records.items()
    }
    if len(diags.errors) > problems:
        return None
    return {section: value for section, value in resolved.items() if value is not None}


def owned_sections(writers: Iterable[AnyWriter], other_sections: Collection[str] = ()) -> set[str]:
    """The top sections of syndicate.yaml that these writers and `other_sections` own."""
    return {*(_path(writer.section())[0] for writer in writers), *other_sections}


def report_unknown_section(
    config: SiteConfig, section: str, owned: Collection[str], diags: Diagnostics
) -> None:
    """The error of a section that none of the `owned` sections is, at its line. A format's
    name whose options live in a shared section (`atom:`, `jsonfeed:`) is told that one."""
    shared = _SHARED_SECTIONS.get(section)
    hint = (
        f"; the options of {section} are in the section {shared!r}"
        if shared in owned
        else did_you_mean(section, sorted(owned))
    )
    diags.error("config.section", f"unknown section {section!r}{hint}", config.where(section))


_SHARED_SECTIONS = {"atom": "feeds", "rss": "feeds", "jsonfeed": "feeds"}
"""Formats that read another section than their name (the feed formats share `feeds`)."""


def _unknown_option(key: str, fields: Collection[str]) -> str:
    """The hint for an unknown option: the nearest known one, else the known ones, else that
    the section takes none."""
    if not fields:
        return "; this section takes no options"
    return did_you_mean(key, fields) or f"; known options: {', '.join(sorted(fields))}"


def convert_section(
    section: str, record: type[OptionsT], config: SiteConfig, diags: Diagnostics
) -> OptionsT | None:
    """The section `section` of syndicate.yaml as a `record`, or None after reporting each
    problem at its line (nested records too: `deliver: targets[1].url: ...`). A dotted
    section is a part of one (`profiles.msn`)."""
    place = _path(section)
    raw = _raw_section(config, place)
    if not isinstance(raw, dict):
        diags.error("config.option", f"{section}: give a mapping of options", config.where(*place))
        return None
    fields = {f.encode_name: f for f in msgspec.structs.fields(record)}
    values: dict[str, Any] = {}
    ok = True
    for key, value in raw.items():
        if key not in fields:
            fix = _unknown_option(key, fields)
            where = config.where(*place, key)
            diags.error("config.option", f"{section}: unknown option {key!r}{fix}", where)
            ok = False
            continue
        try:
            values[fields[key].name] = msgspec.convert(value, fields[key].type, strict=True)
        except msgspec.ValidationError:
            for message in _problems(value, fields[key].type):
                _report(message, section, key, value, fields[key].type, config, diags)
            ok = False
    if not ok:
        return None
    options = record(**values)
    for at, problem in options.check(config):
        path = at if isinstance(at, tuple) else (at,)
        where = config.where(*place, *path)
        diags.error("config.option", f"{section}: {_label(path)}: {problem}", where)
        ok = False
    return options if ok else None


_ABSENT = object()
"""A required option not written (`_parts`)."""


def _problems(value: Any, hint: Any) -> list[str]:
    """Every problem of `value` read as `hint`, each as msgspec words it (`... - at `$[1].url``):
    msgspec stops at the first, and a list of records (`deliver: targets:`) or a record with
    several wrong options is told whole in one run."""
    try:
        msgspec.convert(value, hint, strict=True)
    except msgspec.ValidationError as exc:
        first = str(exc)
    else:
        return []
    found: list[str] = []
    for step, inner, inner_hint in _parts(value, hint):
        if inner_hint is None:
            found.append(_within(step, f"Object contains unknown field `{step}`", here=True))
            continue
        if inner is _ABSENT:
            found.append(_within(step, f"Object missing required field `{step}`", here=True))
            continue
        found += [_within(step, message) for message in _problems(inner, inner_hint)]
    return found or [first]


def _parts(value: Any, hint: Any) -> Iterator[tuple[str | int, Any, Any]]:
    """The items of a list, or the options of a record, with the type each must have (None
    for an option the record does not have)."""
    for candidate in _alternatives(hint):
        if isinstance(value, list) and get_origin(candidate) in (tuple, list):
            element = get_args(candidate)[0]
            for index, item in enumerate(value):
                yield index, item, element
            return
        record = isinstance(candidate, type) and issubclass(candidate, msgspec.Struct)
        if isinstance(value, dict) and record:
            known = _field_names(candidate)
            for name, item in value.items():
                yield name, item, known.get(name)
            typos = [name for name in value if name not in known]
            for field in msgspec.structs.fields(candidate):
                if field.required and field.encode_name not in value:
                    if misspelt(field.encode_name, typos):
                        continue  # `urll:` is one mistake, said as the unknown option it is
                    yield field.encode_name, _ABSENT, field.type
            return


def _within(step: str | int, message: str, *, here: bool = False) -> str:
    """A problem found inside the item `step`, located from the value holding it (`here`: a
    problem of the holding value itself, about its option `step`)."""
    found = _LOCATION.search(message)
    inner = found.group(1) if found else ""
    if found:
        message = message[: found.start()]
    if not here:
        inner = (f"[{step}]" if isinstance(step, int) else f".{step}") + inner
    return f"{message} - at `${inner}`"


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


_LOCATION = re.compile(r" - at `\$([^`]*)`\Z")
_STEP = re.compile(r"\[(\d+)\]|\.([^.\[]+)")


def _report(
    message: str,
    section: str,
    key: str,
    value: Any,
    hint: Any,
    config: SiteConfig,
    diags: Diagnostics,
) -> None:
    """One msgspec problem, at the line of the value it is about."""
    found = _LOCATION.search(message)
    inner: tuple[str | int, ...] = ()
    if found:
        message = message[: found.start()]
        inner = tuple(int(i) if i else name for i, name in _STEP.findall(found.group(1)))
    path = (key, *inner)
    hint = _type_at(hint, inner)
    place = _path(section)
    where = config.where(*place, *path)
    if unknown := re.match(r"Object contains unknown field `(.+)`\Z", message):
        name, known = unknown.group(1), _field_names(hint)
        fix = _unknown_option(name, known)
        text = f"unknown option {name!r}{fix}"
        where = config.where(*place, *path, name)
    elif missing := re.match(r"Object missing required field `(.+)`\Z", message):
        text = f"missing option {missing.group(1)!r}"
    elif _meta(hint).get("extra", {}).get("secret"):
        text = f"what is written here {_explain(message, hint)}"  # never the value itself
    else:
        given = _value_at(value, inner)
        text = f"{_short(given)} {_explain(message, hint, given)}"
    diags.error("config.option", f"{section}: {_label(path)}: {text}", where)


def _label(path: tuple[str | int, ...]) -> str:
    """`("targets", 1, "url")` -> `targets[1].url`."""
    text = str(path[0])
    for step in path[1:]:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text


def _type_at(hint: Any, path: tuple[str | int, ...]) -> Any:
    """The type of the value at `path` inside a value of type `hint` (records and lists)."""
    for step in path:
        inner: Any = Any
        for candidate in _alternatives(hint):
            if isinstance(step, int) and get_origin(candidate) in (tuple, list):
                inner = get_args(candidate)[0]
                break
            if isinstance(step, str) and step in _field_names(candidate):
                inner = _field_names(candidate)[step]
                break
        hint = inner
    return hint


def _alternatives(hint: Any) -> list[Any]:
    """The types a hint allows: `Annotated[X, ...] | None` -> [X, None]."""
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if get_origin(hint) in (Union, UnionType):
        return [arg for union_arg in get_args(hint) for arg in _alternatives(union_arg)]
    return [hint]


def _field_names(hint: Any) -> dict[str, Any]:
    """The options of the records a hint allows, with their types."""
    return {
        f.encode_name: f.type
        for candidate in _alternatives(hint)
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct)
        for f in msgspec.structs.fields(candidate)
    }


def _value_at(value: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        inside = isinstance(value, dict) and step in value
        inside |= isinstance(value, list) and isinstance(step, int) and step < len(value)
        if inside:
            value = value[step]
    return value


_TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "str": "a text",
    "bool": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}


def _listed(given: Any) -> str:
    """A list of the words `given` (a text where a list goes: `en fr` folded by YAML from two
    lines, `en, fr`), for an example: `[en, fr]`; `[]` for none."""
    words = str(given).replace(",", " ").split() if isinstance(given, str) else []
    if not words or [w.lower() for w in words] in (["none"], ["no"], ["nothing"]):
        return "[]" if words else "[a, b]"
    listed = f"[{', '.join(words)}]"
    return listed if len(listed) <= 60 else f"{listed[:56]}...]"


def _explain(message: str, hint: Any, given: Any = None) -> str:
    """msgspec's message in words: no Python type names, no regular expressions."""
    forms = [*_alternatives(hint), *get_args(hint)]
    choices = list(
        dict.fromkeys(
            value for arg in (hint, *forms) if get_origin(arg) is Literal for value in get_args(arg)
        )
    )
    listed = any(get_origin(arg) in (tuple, list) for arg in forms)
    if choices and listed and "enum" in message:  # `languages: en`: `all`, or a list
        words = " or ".join(f"`{c}`" for c in choices)
        if isinstance(given, str) and given.strip().lower() in map(str, choices):
            return f"is not valid; write `{given.strip().lower()}`, in lowercase"
        return f"is not valid; expected {words}, or a list, such as {_listed(given)}"
    if len(choices) > 1 and "enum" in message:
        return f"is not valid; expected {' or '.join(f'`{c}`' for c in choices)}"
    expected = _meta(hint).get("extra", {}).get("expected")
    if expected or "regex" in message:
        return f"is not valid; expected {expected or 'another form'}"
    if unquoted := re.match(r"Expected `str`, got `(int|float|bool)`", message):
        read = "yes/no answer" if unquoted.group(1) == "bool" else "number"
        wanted = f" ({' or '.join(map(str, choices))})" if choices else ""
        return f"is not a text{wanted}: YAML reads it unquoted as a {read}; put it in quotes"
    if (ranged := re.match(r"Expected `(int|float)` [<>]=? ", message)) and (
        said := _range(hint, _TYPE_WORDS[ranged.group(1)])
    ):  # `Expected `int` <= 10000`: the whole range, `from 1 to 10000`
        return said
    message = re.sub(  # `str | array`: a text or a list
        r"`(\w+(?: \| \w+)*)`",
        lambda m: " or ".join(_TYPE_WORDS.get(w, w) for w in m.group(1).split(" | ")),
        message,
    )
    message = re.sub(  # `Expected `array` of length >= 1`: a list of at least 1 item
        r"(a list|a text) of length ([<>])= (\d+)", _length_in_words, message
    )
    return f"is not valid: {message[:1].lower()}{message[1:]}"


def _range(hint: Any, kind: str) -> str | None:
    """What to say of a number out of the range its `msgspec.Meta` allows
    (`out_of_range`: `is not valid: expected a whole number from 1 to 10000`); None when it
    has no bound."""
    bounds: dict[str, float] = {}
    for meta in _metas(hint):
        if meta.ge is not None:
            bounds["least"] = meta.ge
        elif meta.gt is not None:
            bounds["above"] = meta.gt
        if meta.le is not None:
            bounds["most"] = meta.le
        elif meta.lt is not None:
            bounds["below"] = meta.lt
    return out_of_range(kind, **bounds) if bounds else None


def _metas(hint: Any) -> Iterator[msgspec.Meta]:
    """Every `msgspec.Meta` of a type hint, inside `X | None` and nested `Annotated` too."""
    if get_origin(hint) is Annotated:
        yield from (meta for meta in hint.__metadata__ if isinstance(meta, msgspec.Meta))
        yield from _metas(get_args(hint)[0])
    elif get_origin(hint) in (Union, UnionType):
        for arg in get_args(hint):
            yield from _metas(arg)


def _length_in_words(found: re.Match[str]) -> str:
    kind, bound, count = found.groups()
    unit = "item" if kind == "a list" else "character"
    plural = "" if count == "1" else "s"
    return f"{kind} of at {'least' if bound == '>' else 'most'} {count} {unit}{plural}"


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
    """A value as shown in a problem, on one line: a line break in it is shown `\\n`; a list or
    a mapping as YAML writes it on one line (`[local]`, `{a: 1}`), never as Python's repr
    (`['local']`, `{'a': 1}`); nothing written (`name:`) as such."""
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return shortened(_flow(value), quote=lambda text: f"'{text}'")
    return shortened(_flow(value))


def _flow(value: Any, inside: bool = False) -> str:
    """`value` in YAML's one-line (flow) form (the line break of a text `\\n`); a text unquoted,
    but inside a list or a mapping quoted where YAML would read it otherwise plain (`"a, b"`,
    `""`, `"null"`), as YAML writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"[{', '.join(_flow(item, True) for item in value)}]"
    if isinstance(value, dict):
        items = (f"{_flow(k, True)}: {_flow(v, True)}" for k, v in value.items())
        return f"{{{', '.join(items)}}}"
    if isinstance(value, str):
        text = value if value.isprintable() else repr(value)[1:-1]
        if not inside:
            return text
        # (here, on a problem's path: the YAML reader costs a process that renders pages and
        # reads no YAML, the HTML writer's among them, 20 ms to import)
        from syndicate.readers.yamlsource import flow_scalar

        return flow_scalar(text)
    return str(value)
