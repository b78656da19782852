"""No pattern in the package ends a match with a bare `$`: in Python `$` also matches before a
final newline, so `^[a-z]+$` takes `"archive\\n"` (msgspec checks `Meta(pattern=...)` with
`re.search`). `\\Z` (or `fullmatch`) is the end of the text. This reads the source, so a
pattern added later is held to it too; `$` stays allowed with `re.MULTILINE`, where a line's
end is meant."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sites import Site

PACKAGE = Path(__file__).resolve().parent.parent / "syndicate"
RE_FUNCTIONS = {"compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "subn"}


def bare_dollar(pattern: str) -> bool:
    """Whether `pattern` holds a `$` outside a character class, not escaped."""
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":  # a `]` first in a class is a character
                i += 1
            continue
        elif char == "$":
            return True
        i += 1
    return False


def _text(node: ast.expr) -> str | None:
    """A string literal's text (an f-string's literal parts, each placeholder as `x`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(part) or "x" for part in node.values)
    return None


def _multiline(call: ast.Call, pattern: str) -> bool:
    flags = [*call.args[1:], *(k.value for k in call.keywords if k.arg == "flags")]
    named = {n.attr for flag in flags for n in ast.walk(flag) if isinstance(n, ast.Attribute)}
    return bool(named & {"MULTILINE", "M"}) or pattern.startswith("(?m")


def patterns() -> Iterator[tuple[str, str, bool]]:
    """Each pattern literal in the package: where, the pattern, whether `$` may end lines."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
            if name == "Meta":
                for keyword in call.keywords:
                    if keyword.arg == "pattern":
                        text = _text(keyword.value)
                        assert text is not None, f"{where}: a Meta pattern that is no literal"
                        yield where, text, False
            elif (
                name in RE_FUNCTIONS
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "re"
                and call.args
                and (text := _text(call.args[0])) is not None
            ):
                yield where, text, _multiline(call, text)


def test_the_scan_finds_the_patterns() -> None:
    found = list(patterns())
    assert sum(1 for where, _, _ in found if "deliver/options.py" in where) >= 3
    assert any("serve/options.py" in where for where, _, _ in found)
    assert any(multiline for _, _, multiline in found)  # readers/textfile.py's _CONFLICT_START


@pytest.mark.parametrize(
    ("pattern", "bare"),
    [
        (r"^a$", True),
        (r"^a\Z", False),
        (r"^a\$", False),
        (r"^[$]", False),
        (r"^[]$]", False),
        (r"^[^]$]x", False),
        (r"^(a$|b)", True),
    ],
)
def test_bare_dollar(pattern: str, bare: bool) -> None:
    assert bare_dollar(pattern) is bare


def test_no_pattern_ends_with_a_bare_dollar() -> None:
    found = [
        f"{where}: {pattern}"
        for where, pattern, multiline in patterns()
        if not multiline and bare_dollar(pattern)
    ]
    why = "use \\Z (or fullmatch): $ also matches before a final newline"
    assert not found, "\n".join([why, *found])


SERVE = "serve:\n  protect:\n    - path: {path}\n      token: {token}\n"
DELIVER = (
    "deliver:\n  targets:\n    - name: {name}\n      url: {url}\n      formats: [atom]\n"
    "      endpoint_url: {endpoint}\n      credentials: {{access_key_id: {key}}}\n"
)
PROFILE = (
    "profiles:\n  wire:\n    hub: {hub}\n    namespaces: {{{prefix}: {uri}}}\n"
    "    channel_elements: {{{qname}: text}}\n"
)
GOOD = {
    "path": "newsml/",
    "token": "env:PARTNER_TOKEN",
    "name": "archive",
    "url": "s3://bucket/news/",
    "endpoint": "https://s3.example/",
    "key": "env:AWS_ACCESS_KEY_ID",
    "hub": "https://hub.example/",
    "prefix": "dc",
    "uri": "http://purl.org/dc/elements/1.1/",
    "qname": "dc:rights",
}


@pytest.mark.parametrize(
    ("template", "field", "line", "said"),
    [
        (SERVE, "path", 11, "serve: protect[0].path: 'newsml/\\n' is not valid"),
        (SERVE, "token", 12, "serve: protect[0].token: what is written here is not valid"),
        (DELIVER, "name", 11, "deliver: targets[0].name: 'archive\\n' is not valid"),
        (DELIVER, "url", 12, "deliver: targets[0].url: "),
        (DELIVER, "endpoint", 14, "deliver: targets[0].endpoint_url: 'https://s3.example/\\n'"),
        (DELIVER, "key", 15, "deliver: targets[0].credentials.access_key_id"),
        (PROFILE, "hub", 11, "hub"),
        (PROFILE, "prefix", 12, "namespaces"),
        (PROFILE, "uri", 12, "namespaces"),
        (PROFILE, "qname", 13, "channel_elements"),
    ],
    ids=[
        "serve.protect.path",
        "serve.protect.token",
        "deliver.targets.name",
        "deliver.targets.url",
        "deliver.targets.endpoint_url",
        "deliver.targets.credentials",
        "profiles.hub",
        "profiles.namespaces.prefix",
        "profiles.namespaces.uri",
        "profiles.channel_elements",
    ],
)
def test_a_trailing_newline_is_refused_at_its_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    template: str,
    field: str,
    line: int,
    said: str,
) -> None:
    """`path: "newsml/\\n"` passed, and `syndicate serve` then served newsml/ to anyone (the
    folder compared as written); `name: "archive\\n"` broke the output over two lines."""
    site = Site(tmp_path / "newsroom")
    values = {key: json.dumps(value) for key, value in GOOD.items()}
    site.configure(template.format(**values))
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) == 0, capsys.readouterr().err
    site.configure(template.format(**{**values, field: json.dumps(GOOD[field] + "\n")}))
    assert site.cli("validate", "--articles", str(site.articles)) == 2
    err = capsys.readouterr().err
    assert f"syndicate.yaml:{line}: error: " in err and said in err, err
    assert "Traceback" not in err
