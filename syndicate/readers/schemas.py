"""syndicate's own schemas (`schemas/` in the repository, shipped inside the package as
`syndicate.schemas`): where their files are, and JSON Schema checks whose errors read as
diagnostics. Readers check their input with them; formats check their output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from syndicate.diagnostics import did_you_mean


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


@cache
def _validator(name: str, pointer: str) -> Any:
    from jsonschema import Draft202012Validator

    root = load_schema(name)
    schema = {"$ref": f"#{pointer}", **{k: v for k, v in root.items() if k != "$ref"}}
    if not pointer:
        schema = root
    return Draft202012Validator(schema)


def check(
    instance: Any, name: str, pointer: str = ""
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Problems of `instance` against `schemas/<name>` (at `pointer`, e.g. `/$defs/story`), as
    (path, message) pairs, in document order."""
    errors = sorted(_validator(name, pointer).iter_errors(instance), key=lambda e: list(e.path))
    for error in errors:
        yield from _explain(error)


def _explain(error: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or "front matter"
    schema = error.schema if isinstance(error.schema, dict) else {}
    match error.validator:
        case "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            extra = sorted(set(error.instance) - set(allowed))
            for key in extra:
                fix = did_you_mean(key, allowed) or f"; known fields: {', '.join(allowed)}"
                yield (*path, key), f"unknown field {key!r}{fix}"
        case "required":
            yield (
                path,
                f"{where}: {error.message.replace(' is a required property', '')} is required",
            )
        case "oneOf" | "anyOf":
            desc = schema.get("description", "a different value")
            yield path, f"{where}: {_short(error.instance)} is not valid here; expected {desc}"
        case "pattern" if "description" in schema:
            yield path, f"{where}: {_short(error.instance)} is not {schema['description']}"
        case "pattern" | "type" | "enum" | "minimum" | "maximum" | "format":
            desc = schema.get("description")
            expected = f" (expected {desc})" if desc else ""
            yield path, f"{where}: {error.message}{expected}"
        case _:
            yield path, f"{where}: {error.message}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
