"""syndicate's own schemas (`schemas/` in the repository, shipped inside the package as
`syndicate.schemas`): where their files are, and JSON Schema checks whose errors read as
diagnostics a journalist can act on: places named in words with 1-based positions ("byline.
people, 2nd person: url"), values described rather than shown as Python, and every pattern
explained by its description, never shown as a regular expression."""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from syndicate.diagnostics import did_you_mean, misspelt, out_of_range, shortened
from syndicate.i18n.locales import canonical_case
from syndicate.readers.languages import refusal, tag_hint

Where = tuple[str | int, ...]

_FAST_DEPTH = 64
"""How deep a value jsonschema-rs is given may be (syndicate's YAML is at most 50 deep)."""

# What a list's items are called, for "the 2nd person" rather than "people.1".
_ITEM_NOUNS = {
    "people": "person",
    "images": "image",
    "subjects": "subject",
    "places": "place",
    "related": "related link",
    "keywords": "keyword",
    "languages": "language",
    "coordinates": "number",
    "section_order": "section",
}
_TYPE_WORDS = {
    "object": "fields (name: value lines)",
    "array": "a list, e.g. [a, b]",
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


@cache
def schema_path(name: str) -> Path:
    """The file `schemas/<name>`, from the installed package (an editable install maps the
    repository's `schemas/` folder to the same package). XSDs import each other by relative
    paths, so the files must be real files: a package installed from a wheel has them so."""
    path = Path(str(resources.files("syndicate.schemas").joinpath(name)))
    if not path.is_file():
        raise FileNotFoundError(f"syndicate's installation has no schemas/{name}; reinstall it")
    return path


@cache
def load_schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return _inlined(data)


def _inlined(root: dict[str, Any]) -> dict[str, Any]:
    """The schema with each local reference that stands alone (`{"$ref": "#/$defs/text"}`)
    replaced by what it points to: jsonschema looks a reference up on every use, a fifth of
    the time of reading a story. The same checks, the same errors (a reference with other
    keywords beside it, or one back to where it is used, stays as it is)."""

    def target(pointer: str) -> Any:
        node: Any = root
        for part in pointer.removeprefix("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def walk(node: Any, inside: frozenset[str]) -> Any:
        if isinstance(node, dict):
            ref = str(node.get("$ref", ""))
            if len(node) == 1 and ref.startswith("#/") and ref not in inside:
                return walk(target(ref), inside | {ref})
            return {key: walk(value, inside) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, inside) for value in node]
        return node

    inlined: dict[str, Any] = walk(root, frozenset())
    return inlined


def _at(root: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The schema checking against `pointer` inside `root` (the whole of it without one)."""
    if not pointer:
        return root
    return {"$ref": f"#{pointer}", **{k: v for k, v in root.items() if k != "$ref"}}


@cache
def _validator(name: str, pointer: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        _at(_patterns(copy.deepcopy(load_schema(name)), _end_anchored), pointer)
    )


@cache
def _fast_validator(name: str, pointer: str) -> Any:
    """jsonschema-rs's validator of the same schema, whose patterns match nothing Python's
    would not (`_no_looser`); None where a pattern has no such form."""
    import jsonschema_rs

    try:
        root = _patterns(copy.deepcopy(load_schema(name)), _no_looser)
        return jsonschema_rs.Draft202012Validator(_at(root, pointer))
    except (ValueError, jsonschema_rs.ValidationError):
        return None


def _passes(instance: Any, name: str, pointer: str) -> bool:
    """True when jsonschema-rs finds `instance` valid: then jsonschema (the source of the
    messages, fifty times slower, and a tenth of a second to import) would find no problem.
    Only for a value no deeper than `_FAST_DEPTH` (Rust's recursion has no Python guard);
    a value it cannot take (a date, a key that is not text) goes jsonschema's way."""
    fast = _fast_validator(name, pointer)
    if fast is None or not _shallow(instance):
        return False
    try:
        return bool(fast.is_valid(instance))
    except (ValueError, TypeError, OverflowError):
        return False


def _shallow(instance: Any) -> bool:
    """True when no list or mapping in `instance` lies deeper than `_FAST_DEPTH` levels."""
    level: list[Any] = [instance]
    for _ in range(_FAST_DEPTH + 1):
        inner: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                inner.extend(v for v in value.values() if isinstance(v, dict | list))
            elif isinstance(value, list):
                inner.extend(v for v in value if isinstance(v, dict | list))
        if not inner:
            return True
        level = inner
    return False


def check(
    instance: Any,
    name: str,
    pointer: str = "",
    root: str | None = None,
    zone: str | None = None,
    key: str = "field",
) -> Iterator[tuple[Where, str]]:
    """Problems of `instance` against `schemas/<name>` (at `pointer`, e.g. `/$defs/story`), as
    (path, message) pairs, in document order. With `root` (what the whole document is called,
    e.g. `story.yaml`), places are told for people (`byline.people, 2nd person`); without it,
    as dotted paths for developers (`@graph.3.dateModified`), for checks of our outputs.
    `zone` (an IANA name) is the time zone a date-time written without an offset is read in,
    for the offset the hint suggests. `key` is what a name the schema does not know is called
    (`unknown field 'headlin'` of a story; `option` in syndicate.yaml, as a format's section
    calls its own). A value jsonschema-rs finds valid is not checked again (`_passes`)."""
    if _passes(instance, name, pointer):
        return
    errors = sorted(_validator(name, pointer).iter_errors(instance), key=lambda e: list(e.path))
    typos = _typos(errors)
    for error in errors:
        if error.validator == "required" and (tuple(error.absolute_path), error.message) in typos:
            continue  # `headlin:` is said once, as an unknown field with its "did you mean"
        yield from _explain(error, root, zone, key)


def _typos(errors: list[Any]) -> set[tuple[Where, str]]:
    """The "required" errors (place, message) that a misspelt field next to them explains:
    `headlin: ...` where `headline` is required is one mistake, not two."""
    found: set[tuple[Where, str]] = set()
    unknown = {
        (tuple(e.absolute_path), key)
        for e in errors
        if e.validator == "additionalProperties" and isinstance(e.instance, dict)
        for key in e.instance
        if key not in (e.schema.get("properties", {}) if isinstance(e.schema, dict) else {})
    }
    for error in errors:
        if error.validator != "required":
            continue
        path = tuple(error.absolute_path)
        missing = error.message.replace(" is a required property", "").strip("'")
        if misspelt(missing, (key for at, key in unknown if at == path)):
            found.add((path, error.message))
    return found


def url_problem(url: str) -> str | None:
    """What makes a URL that its pattern accepts unusable, in words, or None: a port out of
    range or not a number, a broken IPv6 address, a user name or password (which a public
    link must not carry), no host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises for a port out of range or not a number
    except ValueError as exc:
        return f"is not a valid URL ({str(exc)[:1].lower()}{str(exc)[1:]})"
    if parts.username is not None or parts.password is not None:
        return "holds a user name or password, which a public link must not"
    if not parts.hostname:
        return "has no host"
    if _ascii_netloc(parts.netloc) is None:
        return (
            "holds a host name that is no valid international domain name: write the host"
            " in its IDNA form (xn--...), as your registrar gives it"
        )
    return None


def _ascii_netloc(netloc: str) -> str | None:
    """`netloc` with its host in ASCII: an international name in its IDNA form, as a browser
    maps it (UTS 46, non-transitional: `пример.рф` is `xn--e1afmkfd.xn--p1ai`); None for a
    name that has none."""
    if netloc.isascii():
        return netloc
    import idna  # (only for the rare link to an international name)

    host, colon, port = netloc.partition(":")  # (a host beyond ASCII is no IPv6 address)
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii") + colon + port
    except (idna.IDNAError, UnicodeError):
        return None


_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")


def uri_form(url: str) -> str:
    """`url` as the URI that every format writes (RFC 3987's mapping of an IRI): each
    character beyond ASCII percent-encoded from UTF-8, the rest as written, so a link pasted
    as a browser shows it (`https://ar.wikipedia.org/wiki/جدة`) is `.../wiki/%D8%AC%D8%AF%D8%A9`
    in ninjs and NewsML-G2 as in the pages. An international host name is written in its
    IDNA form, as a browser maps it (`url_problem` refuses a name that has none)."""
    if not url.isascii():
        parts = urlsplit(url)
        netloc = _ascii_netloc(parts.netloc)
        if netloc is not None and netloc != parts.netloc:
            url = parts._replace(netloc=netloc).geturl()
    return _BEYOND_ASCII.sub(lambda found: quote(found.group(), safe=""), url)


def url_problems(data: Any, root: str | None) -> Iterator[tuple[Where, str]]:
    """`url_problem` of every `url` field of a document, at its place."""
    pending: list[tuple[Where, Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            pending += [((*path, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [((*path, index), item) for index, item in enumerate(value)]
        elif isinstance(value, str) and path[-1:] == ("url",) and (found := url_problem(value)):
            yield path, f"{place(path, root)}: {describe(value)} {found}"


def place(path: Where, root: str | None = "front matter") -> str:
    """A value's place in words: `("byline", "people", 1, "url")` is `byline.people, 2nd
    person: url` (or, without a `root`, `byline.people.1.url`)."""
    if root is None:
        return ".".join(str(part) for part in path) or "document"
    text, sep, key = "", ".", ""
    for part in path:
        if isinstance(part, int):
            text += f", {ordinal(part + 1)} {_ITEM_NOUNS.get(key, 'item')}"
            sep = ": "
        else:
            text += (sep if text else "") + part
            sep, key = ".", part
    return text or root


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe(value: Any) -> str:
    """A value as a person would name it: text in quotes, never a Python repr."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return shortened(str(value))
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "fields (name: value lines)"
    return shortened(str(value), quote=repr)


_OTHER_TOOLS = {
    "title": "headline",
    "date": "published",
    "publishdate": "published",
    "lastmod": "updated",
    "tags": "keywords",
    "categories": "section",
    "description": "summary",
    "subtitle": "alt_headline",
    "author": "byline",
    "authors": "byline",
    "draft": "status",
    "expirydate": "status",
}
"""Front matter fields of Hugo, Jekyll and pandoc, and the field syndicate names the same
thing with (a migrated archive carries them; "did you mean" guessed by spelling alone)."""


def _other_tools(key: str, allowed: list[str]) -> str:
    """The hint for another tool's field name: syndicate's, when this file takes it."""
    ours = _OTHER_TOOLS.get(key.lower())
    if ours is None or ours not in allowed:
        return ""
    how = {"status": ": withheld for a draft, canceled to take a story back"}.get(ours, "")
    return f"; syndicate calls {key!r} {ours!r}{how}"


def _explain(
    error: Any, root: str | None, zone: str | None = None, called: str = "field"
) -> Iterator[tuple[Where, str]]:
    path = tuple(error.absolute_path)
    where = place(path, root)
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    match error.validator:
        case "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            extra = sorted(set(value) - set(allowed))
            for key in extra:
                fix = (
                    _other_tools(key, allowed)
                    or did_you_mean(key, allowed)
                    or f"; known {called}s: {', '.join(allowed)}"
                )
                yield (*path, key), f"unknown {called} {key!r}{fix}"
        case "required":
            missing = error.message.replace(" is a required property", "")
            yield path, f"{where}: {missing} is required"
        case "oneOf" | "anyOf":
            yield from _explain_choice(error, where, root, zone, called)
        case "type":
            expected = _expected(schema)
            if value is None:  # a value of a set form (a date, a URL) is asked for in it
                wanted = _description(schema) if "pattern" in schema else expected
                yield path, f"{where}: is empty; write {wanted}"
            else:
                hint = _quote_hint(value, expected) or _number_hint(value, expected)
                yield path, f"{where}: expected {expected}, found {describe(value)}{hint}"
        case "pattern" | "format":
            if "propertyNames" in error.schema_path:  # a bad key: reported at its own line
                path = (*path, value)
            # The form's own words (`extra={"expected": ...}` of an option), else the words
            # of the setting it is a form of (a URL's "http(s) URL")
            described = schema if "description" in schema else _parent_schema(error)
            said = schema.get("expected") or _description(described)
            problem = f"{describe(value)} is not {said}"
            # a BCP 47 tag, of a kind syndicate does not take (`x-klingon`, `i-klingon`)
            why = refusal(value) if _is_tag_setting(value, schema) else None
            if why:
                yield path, f"{where}: {describe(value)} {why}"
                return
            hint = (
                _tag_hint(value, schema)
                or _date_hint(value, schema, zone)
                or _url_hint(value, schema)
                or _id_hint(value, schema)
                or _code_hint(value, schema)
            )
            yield path, f"{where}: {problem}{hint}"
        case "enum":
            choices = ", ".join(str(choice) for choice in schema["enum"])
            meant = did_you_mean(value, map(str, schema["enum"])) if isinstance(value, str) else ""
            yield path, f"{where}: {describe(value)} is not allowed; use one of: {choices}{meant}"
        case "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum":
            yield path, f"{where}: {describe(value)} {_out_of_range(schema)}"
        case "minItems":
            yield path, f"{where}: list at least {schema['minItems']}"
        case "maxItems":
            yield path, f"{where}: list at most {schema['maxItems']}"
        case "minProperties":
            names = ", ".join(sorted(schema.get("properties", {})))
            yield path, f"{where}: give at least one of: {names}"
        case "minLength":
            yield path, f"{where}: is empty; write {_description(schema)}"
        case "maxLength" if "propertyNames" in error.schema_path:  # a key too long: at its line
            most = schema["maxLength"]
            problem = f"{describe(value)} is {len(value)} characters long, over {most}"
            yield (*path, value), f"{where}: {problem}; {_description(schema)}"
        case "maxLength":
            yield path, f"{where}: longer than {schema['maxLength']} characters"
        case "uniqueItems":
            items = list(value) if isinstance(value, list) else []
            twice = next((item for n, item in enumerate(items) if item in items[:n]), None)
            named = f" ({describe(twice)})" if twice is not None else ""
            yield path, f"{where}: an item is listed twice{named}"
        case "not" if isinstance(error.schema, dict) and "description" in error.schema:
            # a form refused by what it may not hold (a line break in a one-line name)
            yield path, f"{where}: {describe(value)} is not {_description(error.schema)}"
        case _:
            yield path, f"{where}: {describe(value)} is not valid here"


def _parent_schema(error: Any) -> dict[str, Any]:
    """The schema of the choice a form's error is of (`hub`'s, whose description says the
    form: "the hub's http(s) URL"), or the form's own when there is none."""
    parent = getattr(error, "parent", None)
    if parent is not None and isinstance(parent.schema, dict) and "description" in parent.schema:
        return parent.schema
    return error.schema if isinstance(error.schema, dict) else {}


def _explain_choice(
    error: Any, where: str, root: str | None, zone: str | None = None, called: str = "field"
) -> Iterator[tuple[Where, str]]:
    """A value that may take several forms (a text, or a text per language): the problems of
    the form its type matches, or else which forms are expected."""
    branches: dict[int, list[Any]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    schema = error.schema if isinstance(error.schema, dict) else {}
    forms = [f for f in schema.get("anyOf") or schema.get("oneOf") or [] if isinstance(f, dict)]
    value = error.instance
    # The form of the value's own type first (`[no]`, a list whose item YAML made a yes/no
    # answer, is the list form's problem, not "a list is not allowed")
    if isinstance(value, str) and {"array", "enum"} <= {
        "enum" if "enum" in f else f.get("type") for f in forms
    }:
        words = " or ".join(str(c) for f in forms for c in f.get("enum", ()))
        yield (
            tuple(error.absolute_path),
            (f"{where}: {describe(value)} is not allowed; write {words}, or a list: [{value}]"),
        )
        return
    typed = [n for n, form in enumerate(forms) if _of_type(value, form.get("type"))]
    for index in [*typed, *branches]:
        subs = branches.get(index, [])
        if subs and not any(sub.validator == "type" and not sub.relative_path for sub in subs):
            for sub in subs:
                yield from _explain(sub, root, zone, called)
            return
    found = describe(value)
    named = [_form_words(form) for form in forms]
    expected = (
        " or ".join(named) if forms and all(named) else _description(schema)
    )  # (the forms by their kinds: `summary_max: ten` was "expected most characters in...")
    hint = _quote_hint(value, expected)
    if isinstance(value, str) and any(form.get("type") == "array" for form in forms):
        hint = hint or f"; write a list: [{value}]"
    yield tuple(error.absolute_path), f"{where}: expected {expected}, found {found}{hint}"


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "array": (list,),
    "object": (dict,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "integer": (int,),
    "number": (int, float),
}


def _of_type(value: Any, kind: Any) -> bool:
    """Whether `value` is of the JSON Schema `type` `kind` (a yes/no answer is no number)."""
    if not isinstance(kind, str) or kind not in _JSON_TYPES:
        return False
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    return isinstance(value, _JSON_TYPES[kind])


def _form_words(form: dict[str, Any]) -> str:
    """One form a value may take, in words (`a whole number`, `null`, `all`); "" for one
    that words do not say."""
    if "enum" in form:
        return " or ".join("null" if c is None else str(c) for c in form["enum"])
    kind = form.get("type")
    if kind == "null":
        return "null"
    if kind == "array":
        return "a list"
    if isinstance(kind, str) and kind in _TYPE_WORDS and kind != "object":
        words = _TYPE_WORDS[kind]
        if kind == "string" and "pattern" in form:
            return str(form.get("description") or words)
        return words
    return ""


def _quote_hint(value: Any, expected: str) -> str:
    """Why YAML made a yes/no answer or a number of what was meant as text (`headline: Yes`,
    `dateline: 1984`), and what to do."""
    if "text" not in expected:
        return ""
    if isinstance(value, bool):
        return (
            "; YAML reads an unquoted yes, no, on, off, true or false as a yes/no answer:"
            " put the text in quotes"
        )
    if isinstance(value, int | float):
        return "; YAML reads an unquoted number as a number: put the text in quotes"
    return ""


def _number_hint(value: Any, expected: str) -> str:
    """A number written in quotes (`version: "2"`): YAML reads it as text. A number YAML
    reads as text however it is written (`1e5`: YAML 1.1's floats have a dot; `NaN`,
    `١٢`, which Python reads as numbers) is no quoted one: losing the quotes it may not
    have mends nothing."""
    if "number" not in expected or not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    whole = "whole" in expected
    if whole and _yaml_number(value.strip()) == "float":
        # (`"2.5"`, `"2.0"` unquoted are decimals: losing the quotes alone mends nothing)
        if float(value).is_integer():
            shown = int(float(value))
            return f"; quoted, YAML reads it as text: write it without quotes or decimals ({shown})"
        return (
            "; quoted, YAML reads it as text, and it is no whole number: write one in plain"
            " digits, without quotes (12)"
        )
    digits = sum(char.isdigit() for char in value)
    if whole and 0 < sys.get_int_max_str_digits() < digits:  # (YAML's reader keeps it text;
        # a limit of 0 is none: PYTHONINTMAXSTRDIGITS=0)
        return f"; a number of {digits:,} digits is more than syndicate reads: write a smaller one"
    if _yaml_number(value.strip()):
        said = shortened(value.strip())
        return f"; quoted, YAML reads it as text: write it without quotes ({said})"
    example = "12" if whole else "12, 3.5"
    return f"; YAML reads it as text, not a number: write the number in plain digits ({example})"


def _yaml_number(text: str) -> str | None:
    """The kind of number (`int`, `float`) YAML reads `text` as, unquoted (its implicit
    resolvers, as the reader's), or None: `2`, `-3.5`, `1.0e+5`, `0x10`; not `1e5` (YAML 1.1's
    floats have a dot and a signed exponent), `nan`, `Infinity` or digits of other scripts."""
    numbers = {"tag:yaml.org,2002:int": "int", "tag:yaml.org,2002:float": "float"}
    for tag, pattern in yaml.SafeLoader.yaml_implicit_resolvers.get(text[:1], []):
        if pattern.match(text):
            return numbers.get(tag)
    return None


def _is_tag_setting(value: Any, schema: dict[str, Any]) -> bool:
    return "language tag" in str(schema.get("description")) and isinstance(value, str)


def _tag_hint(value: Any, schema: dict[str, Any]) -> str:
    """For a language tag in the wrong case (`EN`, `zh-hans`), how to write it; for a near
    miss (`ar_SA`, `jp`), the tag meant, as `syndicate init --lang` says it."""
    if "language tag" not in str(schema.get("description")) or not isinstance(value, str):
        return ""
    fixed = canonical_case(value)
    pattern = _end_anchored(str(schema.get("pattern", "")))
    return (
        f"; write it {fixed!r}" if fixed != value and re.search(pattern, fixed) else tag_hint(value)
    )


_UNSAFE_IN_URLS = re.compile(r"[ \\^`{|}]")
"""What a URL cannot hold as it is (RFC 3986) and may mean, each written `%XX`."""
_MARKUP_IN_URLS = re.compile(r'["<>]')
"""What a URL cannot hold either, and which rather comes from a tag pasted with it."""


DEFAULT_PORTS = {"http": 80, "https": 443}


def without_default_port(url: str) -> str:
    """`url` without a port its scheme implies: the default one (`https://x:443/`, `:0443`
    too, `http://x:80/`) or an empty one (`https://x:/`). RFC 3986 reads each as the address
    without it, but every id and link made from a site URL is spelled as it is written, so
    a site URL keeps the one spelling (`readers.config`); `url` itself when it names none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # (a port that is no number: `url_problem` says so)
        return url
    implied = port is None and parts.netloc.endswith(":")
    if not implied and (port is None or DEFAULT_PORTS.get(parts.scheme.lower()) != port):
        return url
    return parts._replace(netloc=parts.netloc.rpartition(":")[0]).geturl()


def _url_hint(value: Any, schema: dict[str, Any]) -> str:
    """For a URL its pattern refuses, what exactly is wrong (`https://x/my news/` was only
    "not an http(s) URL ending in /"), with the URL written right when that fixes it. A
    scheme in capitals (`HTTPS://`) is the same scheme to RFC 3986, whose form is lowercase:
    it is said to be written so rather than accepted, so the configuration and every URL made
    from it keep one spelling, the one the schema's pattern (which editors check) allows."""
    description = str(schema.get("description"))
    if "http(s) URL" not in description or not isinstance(value, str):
        return ""
    fixes: list[str] = []
    if value != value.strip():  # pasted with a space or a line's end around it
        if re.search(_end_anchored(str(schema.get("pattern", ""))), value.strip()):
            return f"; remove the space around it: {value.strip()!r}"
        value = value.strip()
        fixes.append("remove the space around it")
    scheme, colon, rest = value.partition("://")
    guessed = not colon and ":" not in value.split("/")[0]  # `www.nato.int/iraq`
    if guessed:
        scheme, rest = "https", value
        fixes.append("start it with https://")
    elif not colon or scheme.lower() not in ("http", "https"):
        return "; start it with https:// (or http://)"
    elif scheme != scheme.lower():
        fixes.append(f"write {scheme}:// in lowercase")
    if markup := sorted(set(_MARKUP_IN_URLS.findall(rest))):  # pasted with a tag or quotes
        held = " or ".join(filter(None, (", ".join(map(repr, markup[:-1])), repr(markup[-1]))))
        return f"; a URL cannot hold {held}: remove what is not part of the address"
    if " " in rest:
        fixes.append("write each space as %20")
    if others := sorted(set(_UNSAFE_IN_URLS.findall(rest)) - {" "}):
        codes = ", ".join(f"{char} as %{ord(char):02X}" for char in others)
        fixes.append(f"write {codes}")
    fixed = scheme.lower() + "://" + _UNSAFE_IN_URLS.sub(lambda m: f"%{ord(m.group()):02X}", rest)
    if "ending in /" in description and re.search("[?#]", fixed):
        return "; a URL things are published under has no query (?) or fragment (#): remove it"
    if "ending in /" in description and not fixed.endswith("/"):
        fixes.append("end it with /")
        fixed += "/"
    if "ending in /" in description and (bare := without_default_port(fixed)) != fixed:
        # (a site URL: the fix is refused all the same while it names its default port)
        fixes.append("leave out the port its scheme implies")
        fixed = bare
    pattern = _end_anchored(str(schema.get("pattern", "")))
    if not fixes or not re.search(pattern, fixed):
        return "; start it with https:// (or http://)" if guessed else ""
    return f"; {' and '.join(fixes)}: {fixed!r}"


_ID_SAFE = "-._~!$&'()*+,;=:@/%"
"""What an id's name keeps as it is (`article.schema.json`'s pattern); anything else but `#`
and `?` is written `%XX` in UTF-8."""


def _id_hint(value: Any, schema: dict[str, Any]) -> str:
    """For a story id the pattern refuses, the id written right when that is mechanical: the
    scheme in lowercase (`URN:` is the same scheme to RFC 8141, but an id keeps one spelling,
    the one partners compare), a space or a letter outside ASCII %-encoded. `#` and `?` are
    not encoded: whoever wrote them means something a program cannot guess."""
    if "permanent id" not in str(schema.get("description")) or not isinstance(value, str):
        return ""
    scheme, colon, rest = value.partition(":")
    if not colon or scheme.lower() not in ("urn", "tag") or re.search("[#?]", rest):
        return ""
    fixes = [f"write {scheme}: in lowercase"] if scheme != scheme.lower() else []
    encoded = quote(rest, safe=_ID_SAFE)
    if encoded != rest:
        fixes.append("%-encode each space and letter outside ASCII")
    fixed = f"{scheme.lower()}:{encoded}"
    pattern = _end_anchored(str(schema.get("pattern", "")))
    if not fixes or not re.search(pattern, fixed):
        return ""
    return f"; {' and '.join(fixes)}: {fixed!r}"


_CODE = "^[a-z0-9]+(-[a-z0-9]+)*$"
"""The pattern of a code (a section's): lowercase ASCII letters and digits, single hyphens."""


def _code_hint(value: Any, schema: dict[str, Any]) -> str:
    """For a code the pattern refuses (`Business`, `Local News`, `local_news`), the code
    written right when that is mechanical: in lowercase, each run of spaces, underscores and
    other ASCII marks a hyphen. A letter outside ASCII (`Économie`) is left to the editor: no
    spelling of it in a-z is certain."""
    if _end_anchored(str(schema.get("pattern", ""))) != _end_anchored(_CODE):
        return ""
    if not isinstance(value, str) or not value.isascii():
        return ""
    fixed = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    if fixed == value or not re.search(_end_anchored(_CODE), fixed):
        return ""
    return f"; write {fixed!r}"


_LOOSE_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def _date_hint(value: Any, schema: dict[str, Any], zone: str | None = None) -> str:
    """For a date-time written almost right (`2026-12-03 10:00`, `2026-12-3T10:00Z`, no time
    zone offset), the same moment written as it must be; without an offset, the one `zone`
    (the story's time zone) has on that day and at that time, or where one goes."""
    if "RFC 3339 date-time" not in str(schema.get("description")) or not isinstance(value, str):
        return ""
    return date_hint(value, zone)


def date_hint(value: str, zone: str | None = None) -> str:
    """`_date_hint` of any date-time text (`--now` too): "; write it '...'", or nothing."""
    found = _LOOSE_DATE.fullmatch(value.strip())
    if found is None:
        return ""
    year, month, day, hour, minute, second, offset = found.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        moment = moment.replace(second=int(second or 0))
    except ValueError:
        return ""  # no such day or time: said as such once the offset is there
    stamp = moment.isoformat()
    if offset:
        written = "Z" if offset.upper() == "Z" else f"{offset[:3]}:{offset[-2:]}"
        if written != "Z" and (int(written[1:3]) > 23 or int(written[4:]) > 59):
            return f"; the offset {offset} is not a time: offsets run from -14:00 to +14:00"
        if written != "Z" and int(written[1:3] + written[4:]) > 1400:
            return f"; the offset {offset} is beyond -14:00 to +14:00, the most any zone has"
        return f"; write it {stamp + written!r}"
    timed = "" if hour else "a time and "
    local = _zone_offset(moment, zone)
    if local is None or local == "Z":
        return f"; add {timed}the offset of its time zone: {stamp + 'Z'!r} for UTC"
    first, second = local, _zone_offset(moment.replace(fold=1), zone)
    if second is not None and second != first:
        when = moment.strftime("%H:%M")
        if _skipped(moment, zone):
            # (`zone` is set: `_skipped` is false without one)
            by_old, by_new = (_as_shown(moment, fold, str(zone)) for fold in (0, 1))
            return (
                f"; {when} did not happen in {zone} that day: its clocks went from"
                f" {first} to {second} then; {'add' if timed else 'write'} the time"
                f" the clocks showed, with the offset they had: {by_old!r} ({when} by the"
                f" clocks before the change), or {by_new!r} ({when} by the clocks after it)"
            )
        return (
            f"; {when} happened twice in {zone} that night, as its clocks went back: write"
            f" {stamp + first!r} for the first time, {stamp + second!r} for the second"
        )
    return (
        f"; add {timed}the offset of its time zone: {stamp + local!r} in {zone} then,"
        f" {stamp + 'Z'!r} for UTC"
    )


def _as_shown(moment: datetime, fold: int, zone: str) -> str:
    """A wall-clock time the clocks of `zone` skipped, read with the offset before the change
    (`fold` 0) or after it (1), written as the clocks showed that instant."""
    instant = moment.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)
    return instant.astimezone(ZoneInfo(zone)).isoformat()


def _skipped(moment: datetime, zone: str | None) -> bool:
    """Whether the wall-clock time `moment` never happened in `zone` (the hour its clocks
    skipped): taken to UTC and back, it is another time."""
    if zone is None:
        return False
    local = moment.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != moment


def _zone_offset(moment: datetime, zone: str | None) -> str | None:
    """The offset `zone` has at the wall-clock time `moment` (`+01:00`, `-03:30`, `Z`), or
    None without a zone that can say it."""
    if zone is None:
        return None
    try:
        offset = moment.replace(tzinfo=ZoneInfo(zone)).utcoffset()
    except (ValueError, OSError, ZoneInfoNotFoundError):
        return None
    if not offset:
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _out_of_range(schema: dict[str, Any]) -> str:
    """A number past a schema's bounds, said as every range is (`out_of_range`), both ends
    told where the schema has two."""
    kind = _TYPE_WORDS["integer" if schema.get("type") == "integer" else "number"]
    bounds = {
        name: schema[key]
        for name, key in (
            ("least", "minimum"),
            ("most", "maximum"),
            ("above", "exclusiveMinimum"),
            ("below", "exclusiveMaximum"),
        )
        if isinstance(schema.get(key), int | float)
    }
    return out_of_range(kind, **bounds)


def _expected(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if kind == "object" and schema.get("properties"):
        names = ", ".join(sorted(schema["properties"])[:4])
        return f"fields such as {names}"
    if isinstance(kind, str):
        return _TYPE_WORDS.get(kind, kind)
    return _description(schema)


def _description(schema: dict[str, Any]) -> str:
    desc = str(schema.get("description", "in the expected form"))
    return desc[:1].lower() + desc[1:] if desc[:2] != desc[:2].upper() else desc


def _patterns(schema: Any, rewrite: Callable[[str], str]) -> Any:
    """The schema with every pattern (and pattern property) rewritten."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = rewrite(value)
            elif key == "patternProperties" and isinstance(value, dict):
                out[key] = {rewrite(k): _patterns(v, rewrite) for k, v in value.items()}
            else:
                out[key] = _patterns(value, rewrite)
        return out
    if isinstance(schema, list):
        return [_patterns(v, rewrite) for v in schema]
    return schema


def _end_anchored(pattern: str) -> str:
    """The pattern in Python's dialect: JSON Schema patterns are ECMA-262, where `$` matches
    only at the end of the text; in Python it also matches before a final newline, which let
    `section: "politics\\n"` through. `\\Z` is ECMA's `$`."""
    return "".join(
        r"\Z" if token == "$" and not in_class else token for token, in_class, _ in _tokens(pattern)
    )


def _tokens(pattern: str) -> Iterator[tuple[str, bool, bool]]:
    """A pattern's tokens (an escape's two characters, or one character), each with whether
    it stands inside a character class, and whether that class is negated."""
    in_class = negated = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            yield pattern[i : i + 2], in_class, negated
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class, negated = True, pattern[i + 1 : i + 2] == "^"
        yield char, in_class, negated
        i += 1


_PY_SPACE = "\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""What Python's `\\s` matches (`str.isspace`), spelled out in a class: jsonschema-rs reads
`\\s` as ECMA-262's (which has U+FEFF and not U+0085)."""
_LITERAL_ESCAPES = frozenset("\\.-/^$[](){}*+?|")


def _no_looser(pattern: str) -> str:
    """The pattern for jsonschema-rs (Rust's regex, where `$` is ECMA's end of the text),
    matching nothing Python's `re` would not match with `_end_anchored`'s form of it: `\\d`
    becomes the ASCII digits (Python's is every digit of its own Unicode version), `\\s` and
    `\\S` Python's space. ValueError for any other class escape, or a digit escape inside a
    negated class (which would match more)."""
    out = []
    for token, in_class, negated in _tokens(pattern):
        escape = token[1:] if token[0] == "\\" else None
        if escape is None:
            out.append(token)
        elif escape == "d" and not (in_class and negated):
            out.append("0-9" if in_class else "[0-9]")
        elif escape == "s":
            out.append(_PY_SPACE if in_class else f"[{_PY_SPACE}]")
        elif escape == "S" and not in_class:
            out.append(f"[^{_PY_SPACE}]")
        elif escape and escape in _LITERAL_ESCAPES:
            out.append(token)
        else:
            raise ValueError(f"no equivalent of \\{escape} in {pattern!r}")
    return "".join(out)
