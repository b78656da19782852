"""YAML parsed safely into plain values plus a map from each value's path to its source line.

Aliases are followed, never trusted: a collection that contains itself, nesting deeper than
any story needs, and expansion beyond the budgets (values, and characters of text) are problems
with a line, not a RecursionError or a gigabyte of headlines. PyYAML's messages are rewritten
into what to do ("quote the headline: it contains a colon")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import yaml

from syndicate.readers import budgets
from syndicate.readers.textfile import C1_CONTROLS, XML_FORBIDDEN, c1_problem

Path = tuple[str | int, ...]

_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}
_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
"""What a value may be; other tags (`!x`, `!!python/object`, `!!binary`) are refused."""
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
"""What YAML takes as a line break besides `\n` (the reader made every line end `\n`) and
no editor, nor any other line number syndicate gives, counts as one."""
_YAML_BREAKS = re.compile("[\n\x85\u2028\u2029]")
_ODD_NAMES = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


class _Lines:
    """A text's lines as YAML counts them, and the file line of each: a U+2028 pasted into a
    headline made YAML's marks, and every line told after it, one line down."""

    def __init__(self, text: str) -> None:
        self.odd = _ODD_BREAKS.search(text) is not None
        self.text = text
        self.yaml = _YAML_BREAKS.split(text) if self.odd else text.split("\n")
        """The text's lines as YAML's marks number them."""
        self._file: list[int] = []
        if self.odd:
            breaks = _YAML_BREAKS.findall(text)
            self._file = list(accumulate((b == "\n" for b in breaks), initial=0))

    def file(self, yaml_line: int) -> int:
        """The file line (0-based, counted by `\n`) of a line of YAML's marks."""
        if not self.odd:
            return yaml_line
        return self._file[min(yaml_line, len(self._file) - 1)]

    def odd_break(self, yaml_line: int) -> str | None:
        """The break YAML saw and an editor does not on the file line of `yaml_line`, in
        words, or None."""
        if not self.odd:
            return None
        lines = self.text.split("\n")
        found = _ODD_BREAKS.search(lines[min(self.file(yaml_line), len(lines) - 1)])
        if found is None:
            return None
        return f"U+{ord(found.group()):04X} ({_ODD_NAMES[found.group()]})"


_KEY_LINE = re.compile(r"\s*(?:-\s+)?(?!-\s)([^\s#:'\"{\[][^:#]*?)\s*:(?:\s+(.*))?")


class YamlProblem(Exception):
    """Bad YAML; `line` is 1-based in the file the text came from."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class YamlDoc:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    first_line: int = 1
    chars: int = 0
    """Characters of text the document expands to (keys and values, aliases included)."""
    notes: list[tuple[int, str]] = field(default_factory=list)
    """Warnings, with their line: a value a ` #` cut short (`#1`, `#harbour`: YAML reads
    the rest of the line as a comment)."""

    def line(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), self.first_line)


def parse_yaml(text: str, first_line: int = 1, max_chars: int | None = None) -> YamlDoc:
    """Parse one YAML document; scalars stay strings except ints, floats, booleans and null
    (dates stay text, so the reader can check their form and time zone itself). `max_chars`
    (default: the per-document budget) bounds the text it may expand to."""
    try:
        node = _fast_compose(text) or yaml.compose(text, Loader=_DepthLimitedLoader)
    except yaml.MarkedYAMLError as exc:
        raise _explain(exc, _Lines(text), first_line) from None
    except yaml.reader.ReaderError as exc:
        raise _unacceptable(exc, text, first_line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from None
    doc = YamlDoc(None, first_line=first_line)
    if node is None:
        return doc
    limit = budgets.MAX_YAML_CHARS if max_chars is None else max_chars
    builder = _Builder(doc, first_line, limit, text)
    doc.data = builder.build(node, ())
    doc.chars = builder.chars
    return doc


def _unacceptable(exc: yaml.reader.ReaderError, text: str, first_line: int) -> YamlProblem:
    """A character YAML does not take in a text (DEL, U+007F: the other controls are refused
    before YAML reads the text), at its line: it was PyYAML's "unacceptable character #x007f:
    special characters are not allowed in "<unicode string>", position 277", at line 1."""
    found = exc.character
    code = ord(found) if isinstance(found, str) and len(found) == 1 else found
    line = first_line + text.count("\n", 0, max(exc.position, 0))
    if not isinstance(code, int):
        return YamlProblem("a character YAML does not take is in this text; remove it", line)
    return YamlProblem(
        f"character U+{code:04X} (an invisible control character) is not allowed in YAML;"
        " remove it",
        line,
    )


_FAST_DEPTH = budgets.MAX_YAML_DEPTH // 2
"""Documents nested at most this deep (every story) are composed by libyaml."""
_C_LOADER = getattr(yaml, "CSafeLoader", None)


def _fast_compose(text: str) -> yaml.Node | None:
    """The document's node tree from libyaml, ten times faster than PyYAML's own parser, for
    a shallow document that libyaml reads without a problem; None otherwise, and PyYAML's
    parser (depth-limited, and the source of the messages) takes it. A text with a tab goes
    PyYAML's way too: libyaml takes a tab after a key's colon as a space, PyYAML refuses it."""
    if _C_LOADER is None or "\t" in text:
        return None
    try:
        depth = deepest = 0
        for event in yaml.parse(text, Loader=_C_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > _FAST_DEPTH:
                    return None  # libyaml's composer recurses in C, once per level
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node: yaml.Node | None = yaml.compose(text, Loader=_C_LOADER)
    except yaml.YAMLError:
        return None
    return node  # (its plain scalars have the style "", PyYAML's None: `_Builder._scalar`)


class _DepthLimitedLoader(yaml.SafeLoader):
    """The safe loader, refusing collections nested more than MAX_YAML_DEPTH levels."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > budgets.MAX_YAML_DEPTH and parent is not None:
                problem = f"collections nested more than {budgets.MAX_YAML_DEPTH} levels deep"
                raise yaml.composer.ComposerError(None, None, problem, parent.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_FEW_BITS = 2_000
"""A whole number of no more bits has fewer digits than Python writes at least (640, the
least `sys.set_int_max_str_digits` takes): a longer one is tried (`str`), as a message quotes
it, and kept as text if it cannot be written."""


class _Builder:
    def __init__(self, doc: YamlDoc, first_line: int, max_chars: int, text: str = "") -> None:
        self.doc = doc
        self.lines = _Lines(text)
        self.text = text
        self.hashes = " #" in text or "\t#" in text
        """Whether a ` #` may have cut a value short (else none is looked for)."""
        self.offset = first_line
        self.count = 0
        self.chars = 0
        self.max_chars = max_chars
        self.open: set[int] = set()
        """The collections being built (by id): meeting one again is an alias to itself."""
        self.key_line = 0
        """The line of the mapping key being built: an alias is placed there, not at its
        anchor."""

    def build(self, node: yaml.Node, path: Path) -> Any:
        line = max(self.offset + self.lines.file(node.start_mark.line), self.key_line)
        self.count += 1
        if self.count > budgets.MAX_YAML_VALUES:
            raise YamlProblem(
                f"YAML expands to more than {budgets.MAX_YAML_VALUES} values: remove values pasted"
                " by mistake (thousands of keywords); aliases (*name) count every value they"
                " repeat, so use fewer of them",
                line,
            )
        if len(path) > budgets.MAX_YAML_DEPTH:
            raise YamlProblem(
                f"aliases nest collections more than {budgets.MAX_YAML_DEPTH} levels deep;"
                " write the values out",
                line,
            )
        self.doc.lines.setdefault(path, line)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, line)
        if node.tag not in _PLAIN_TAGS:  # `!x` or `!!python/...` before a list or a mapping
            tag = node.tag.replace(_CORE, "!!")
            kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            raise YamlProblem(
                f"the YAML tag {tag} is not supported; remove it from before the {kind}", line
            )
        if id(node) in self.open:
            raise YamlProblem(
                "an alias (*name) stands for the list or mapping it is inside, which would never"
                " end; write the values out",
                line,
            )
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            assert isinstance(node, yaml.SequenceNode)
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        outer = self.key_line
        for key_node, value_node in node.value:
            line = max(self.offset + self.lines.file(key_node.start_mark.line), outer)
            self.key_line = line
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("mapping keys must be plain text", line)
            key = str(key_node.value)
            if key == "<<":
                raise YamlProblem("merge keys (<<) are not supported; write the fields out", line)
            if key in out:
                first = self.doc.lines.get((*path, key))
                said = f" (first at line {first})" if first else ""
                raise YamlProblem(f"duplicate key {key!r}{said}; keep one", line)
            self._spend(len(key), line)
            self.doc.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        self.key_line = outer
        return out

    def _spend(self, chars: int, line: int) -> None:
        self.chars += chars
        if self.chars > self.max_chars:
            raise YamlProblem(
                f"YAML expands to more than {self.max_chars} characters of text (an alias"
                " repeating a long value?); write the values out",
                line,
            )

    def _scalar(self, node: yaml.ScalarNode, line: int) -> Any:
        self._spend(len(node.value), line)
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace(_CORE, "!!")
            raise YamlProblem(
                f"the YAML tag {tag} is not supported; if {tag} is part of the text, quote it",
                line,
            )
        if node.style == '"':
            return _unescaped(node.value, line)
        value = node.value
        if node.style:  # quoted or block scalars are always text; a plain one's style is
            return value  # PyYAML's None, libyaml's "" (its tree is not walked to change it)
        if self.hashes:
            self._cut_short(node, line)
        self._anchored(node, line)
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL.get(value.lower(), value)
        if tag == "tag:yaml.org,2002:int":
            try:
                number = int(value.replace("_", ""), 0)
                if number.bit_length() > _FEW_BITS:  # (`0x...`, `0b...`: read, any length)
                    str(number)  # past the digits Python writes: text, as a decimal one is
                return number
            except ValueError:  # (a decimal number past the digits Python reads: 4,300)
                return value
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
        return value

    def _anchored(self, node: yaml.ScalarNode, line: int) -> None:
        """A plain value that starts with `&name` nothing refers to (`headline: &Beyond wins
        the award`, a brand's name): YAML reads `&Beyond` as an anchor's name, and the value
        loses that word, silently. The same when the text goes on on the next line
        (`headline: &Co` then `  wins the award`): nothing refers to the anchor, and the text
        is published without it."""
        lines = self.lines.yaml
        start = node.start_mark
        if start.line >= len(lines) or lines[start.line][start.column : start.column + 1] != "&":
            return
        source = lines[start.line]
        found = _ANCHOR.match(source, start.column)
        if found is None or re.search(rf"\*{re.escape(found.group(1))}(?![^\s,\]}}])", self.text):
            return  # an anchor an alias refers to: YAML meant
        name = found.group(1)
        before = source[: start.column].rstrip()
        if before.endswith(("[", ",", "-")):  # an item of a list
            written = f"&{name} {node.value}".strip() if node.value else f"&{name}"
            raise YamlProblem(
                f"an item starts with '&', which YAML reads as the name of an anchor: '&{name}'"
                f" is left out of it; quote the item: {_quoted(written)}",
                line,
            )
        key, _ = _key_and_value(source)
        field = key or "value"
        written = f"&{name} {node.value}".strip()
        raise YamlProblem(
            f"the {field} starts with '&', which YAML reads as the name of an anchor:"
            f" '&{name}' is left out of the text; quote the {field}: {_quoted(written)}",
            line,
        )

    def _cut_short(self, node: yaml.ScalarNode, line: int) -> None:
        """Note a plain value followed on its line by ` #` and a character that is not a
        space: a hashtag or a number (`#1`) that YAML took as the start of a comment, cutting
        the value short. A comment of one's own (`# a note`) is left alone."""
        lines = self.lines.yaml
        end = node.end_mark
        if end.line >= len(lines):
            return
        rest = lines[end.line][end.column :]
        cut = _CUT.match(rest)
        if cut is None:
            return
        source = lines[end.line]
        key, value = _key_and_value(source)
        field, whole = key or "value", whole_value(key)
        fix = f": {key}: {_quoted(value)}" if key and value else ""
        item = source.lstrip()
        if not key and item.startswith("- "):  # an item of a list
            field, whole, fix = "item", "the whole item", f": - {_quoted(item[2:].strip())}"
        self.doc.notes.append(
            (
                self.offset + self.lines.file(end.line),
                f"the {field} ends at {node.value!r}: YAML reads ' {cut.group(1)}' and the rest"
                f" of the line as a comment; quote {whole}{fix}",
            )
        )


_CUT = re.compile(r"[ \t]+(#\S+)")
_ANCHOR = re.compile(r"&([^\s,\[\]{}]+)")


def _hidden_close(line: str) -> re.Match[str] | None:
    """The ` #` of a line that opens a `[` or `{` and whose closing bracket the comment it
    starts hides (outside quotes); None if the line has no such ` #`."""
    for cut in _CUT.finditer(line):
        before = line[: cut.start()]
        if before.count('"') % 2 or before.count("'") % 2:
            continue  # inside quotes: text, not a comment
        if before.count("[") > before.count("]") or before.count("{") > before.count("}"):
            return cut
        return None
    return None


def _unescaped(value: str, line: int) -> str:
    """A double-quoted scalar: its escapes (\\a, \\uFFFE) can write characters that the check
    of the file's text never saw, and text that is not NFC. A JSON-style surrogate pair
    (\\ud83d\\ude00) is joined into its character, as JSON readers do."""
    value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if found := XML_FORBIDDEN.search(value):
        raise YamlProblem(
            f"character U+{ord(found.group()):04X} (written as an escape) is not allowed in XML;"
            " remove it",
            line,
        )
    if found := C1_CONTROLS.search(value):
        raise YamlProblem(f"{c1_problem(found.group())} (written as an escape)", line)
    return unicodedata.normalize("NFC", value)


# PyYAML's messages, as what to do ----------------------------------------------------------


def _explain(exc: yaml.MarkedYAMLError, text: _Lines, first_line: int) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    problem, context = exc.problem or "", exc.context or ""
    opened = exc.context_mark.line if exc.context_mark else None
    # What is never closed is told where it opens; PyYAML notices it where the text ends.
    unclosed = opened is not None and ("quoted scalar" in context or "flow" in context)
    index = opened if unclosed and opened is not None else (mark.line if mark else 0)
    lines = text.yaml
    if "<stream end>" in problem and "flow" in context:
        # `keywords: [` at the end of the file: PyYAML marks the end (a line past the last);
        # the bracket is told where it opens, the last line that opens one.
        opens = [i for i in range(len(lines) - 1, -1, -1) if _opens_flow(lines[i])]
        index = opened = opens[0] if opens else len(lines)
    if "flow" in context:  # a ' #' inside [ ] or { } hid the rest of its line, closing included
        hid = [i for i in range(min(index, len(lines) - 1), -1, -1) if _hidden_close(lines[i])]
        index = hid[0] if hid else index
    if "block mapping" in context and "<scalar>" in problem and mark is not None:
        # `headline: "Port strike` never closed: YAML read on to the next `"` (a later line's
        # quoted value) and found text after it, where it says so. Told where it opens.
        for at in range(min(mark.line, len(lines)) - 1, -1, -1):
            key, value = _key_and_value(lines[at])
            if key and _unclosed_quote(value) and _closing_mends(lines, at, mark.line):
                return YamlProblem(
                    f"the quote that opens the {key} is never closed; close it at the end of"
                    " the line",
                    first_line + text.file(at),
                )
    # Never a line past the end of the file (the empty one after its last line break).
    index = min(index, max(len(lines) - (2 if lines and lines[-1] == "" else 1), 0))
    source = lines[index] if index < len(lines) else ""
    key, value = _key_and_value(source)
    start = opened if opened is not None else index
    for at in dict.fromkeys(i for i in (opened, index) if i is not None):
        if odd := text.odd_break(at):  # what YAML says of the text it broke misleads
            return YamlProblem(
                f"this line holds {odd}, an invisible character YAML reads as a line break"
                " (pasted from a web page or a word processor?); remove it",
                first_line + text.file(at),
            )
    if "expected '<document start>'" in problem:
        # After a directive (`%YAML`) or a document's end (`...`): told at that line.
        for at in range(min(index, len(lines) - 1), -1, -1):
            if lines[at].startswith("..."):
                return YamlProblem(
                    "a line '...' here ends the YAML document, so the lines after it are not"
                    " read: remove it",
                    first_line + text.file(at),
                )
            if lines[at].startswith("%"):
                index, source = at, lines[at]
                break
    column = mark.column if mark is not None and mark.line == index else None
    fix = None
    if column is not None and _FOUND.match(problem) and _after_value(source, column):
        # A character after a value on its line (`- "NATO" ]`, `[a, b]]`) is a stray one,
        # not a line out of its block's layout ("start it with '- '"), nor a directive.
        fix = _stray(problem, context, key, value, source, column)
    fix = fix or _fix(problem, context, key, value, source, first_line + text.file(start))
    if fix is None and column is not None:
        fix = _stray(problem, context, key, value, source, column)
    if fix is None:
        fix = f"invalid YAML: {problem or context}"
        if context and opened is not None and opened != index:
            fix += f" ({context} on line {first_line + text.file(opened)})"
    return YamlProblem(fix, first_line + text.file(index))


def _opens_flow(line: str) -> bool:
    """Whether a line's value (or list item) starts a `[ ]` or `{ }` the line does not close."""
    item = line.strip().removeprefix("- ").strip()
    key, value = _key_and_value(item)
    value = value if key is not None else item
    if value[:1] not in ("[", "{"):
        return False
    closing = "]" if value[0] == "[" else "}"
    return value.count(value[0]) > value.count(closing)


def _unclosed_quote(value: str) -> bool:
    """Whether a value starts a double- or single-quoted text its line does not close."""
    value = value.strip()
    if value[:1] == '"':  # (`\\` is a backslash: `"C:\\"` is closed)
        return '"' not in re.sub(r"\\.", "", value[1:])
    if value[:1] == "'":
        return "'" not in value[1:].replace("''", "")
    return False


def _closing_mends(lines: list[str], at: int, error: int) -> bool:
    """Whether the quote line `at` opens is the one that ran on to the error at line `error`:
    closed at the end of its line, the text reads past that line. A quoted value that goes on
    over two lines as it should (`headline: "Port strike` then `  enters day two"`) is not."""
    line = lines[at].rstrip()
    mended = [*lines[:at], line + line.lstrip().split(":", 1)[1].strip()[:1], *lines[at + 1 :]]
    try:
        yaml.compose("\n".join(mended), Loader=_C_LOADER or yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line > error
    except yaml.YAMLError:
        return False
    return True


def whole_value(key: str | None) -> str:
    """What the advice to quote a value names (`quote the whole value of languages`): the
    value of its key, which reads right whether the key takes a text (`headline`) or a list
    (`languages: [en, fr] extra`), where "quote the whole languages" did not, and needs no
    guess at which; `the whole value` for one with no key."""
    return f"the whole value of {key}" if key else "the whole value"


def _fix(
    problem: str, context: str, key: str | None, value: str, source: str, opened: int
) -> str | None:
    """What to do about one of PyYAML's problems, or None for those without advice."""
    field = key or "value"
    quoted = f"{field}: {_quoted(value)}" if key and value else None
    example = f" (write {quoted})" if quoted else ""
    if "'\\t'" in problem:
        if source[: len(source) - len(source.lstrip())].count("\t"):
            return "indent with spaces, not tabs"
        return "replace the tab on this line with spaces"
    if problem == "mapping values are not allowed here":
        if key and ": " in value + " ":
            return f"quote the {field}: it contains a colon{example}"
        return (
            "a line is missing its 'name: value' form, or a value holds ': '; check this line"
            " and the one above"
        )
    if "cannot start any token" in problem or (
        ("alias" in context or "anchor" in context) and "expected alphabetic" in problem
    ):
        char = problem.split("'")[1] if "'" in problem else value[:1]
        if "expected alphabetic" in problem:  # `& more`, `* more`: the mark, not the space
            char = "&" if "anchor" in context else "*"
        return _reserved(key, value, char)
    if problem == "second occurrence" and "duplicate anchor" in context:
        name = context.split("'")[1] if "'" in context else ""
        return f"the anchor &{name} is defined twice (first on line {opened}); rename one"
    if problem.startswith("found undefined alias"):
        alias = _example(key, value, "*")
        return f"quote the {field}: YAML reads the * at its start as an alias{alias}"
    if "block scalar" in context:
        return f"quote the {field}: YAML reads the {value[:1]!r} at its start as a text block"
    if problem == "mapping keys are not allowed here":
        return f"quote the {field}: it starts with '?', which YAML reserves{example}"
    if "quoted scalar" in context:
        return f"the quote that opens the {field} is never closed; close it"
    if "flow" in context and (cut := _hidden_close(source)) is not None:
        item = cut.group(1).rstrip("]},")
        before = source[: cut.start()]
        bracket = "[" if before.rfind("[") >= before.rfind("{") else "{"
        return (
            f"the {bracket} that opens the {field} is never closed: YAML reads ' {item}' and the"
            f" rest of the line as a comment; quote the item: {_quoted(item)}"
        )
    if "flow sequence" in context or "flow mapping" in context or "<stream end>" in problem:
        if "flow sequence" in context or "flow mapping" in context:
            bracket = "[" if "sequence" in context else "{"
        else:  # the file ends inside a flow node: the line that opens it says which
            item = value or source.strip().removeprefix("- ").strip()
            bracket = "{" if item[:1] == "{" else "["
        closing = "]" if bracket == "[" else "}"
        return (
            f"the {bracket} that opens the {field} is not closed with {closing}; close it, or"
            f" quote {whole_value(key)} if the {bracket} is part of the text"
        )
    if "block mapping" in context and "<scalar>" in problem:
        return (
            "text follows a quoted part or a [ ] or { }: remove what follows, or quote"
            f" {whole_value(key)}{example}"
        )
    if "block mapping" in context and "<block mapping start>" in problem:
        return "this line is indented differently from the fields above it; align it with them"
    if "block collection" in context and "<block mapping start>" in problem:
        return (
            "this line is indented differently from the lines above it: line it up with the"
            " other fields of its list item (under the first letter after '- ')"
        )
    if "block collection" in context and "<block end>" in problem:
        return (
            "this line does not fit the list above it: start it with '- ' to make it an item,"
            " or indent it under an item to make it one of that item's fields"
        )
    if "could not find expected ':'" in problem:
        return "a field needs 'name: value'; add the colon, or check the indentation"
    if "another document" in problem:
        return (
            "a line '---' (or '...') here starts a second YAML document, which syndicate's files"
            " do not use: remove it"
        )
    if "<document end>" in problem:
        return "a line '...' here ends the YAML document before its value: remove it"
    if "expected '<document start>'" in problem or source.startswith("%"):
        return (
            "a line starting with % is a YAML directive, which syndicate's files do not use:"
            " remove it"
        )
    return None


_FOUND = re.compile(
    r"(?:expected <block end>|expected the node content|expected '<document start>'),"
    r" but found '(.+)'"
)
_TOKENS = {"<anchor>": "&", "<alias>": "*", "<tag>": "!", "<block sequence start>": "-"}


def _stray(
    problem: str, context: str, key: str | None, value: str, source: str, column: int
) -> str | None:
    """What to do about a character YAML did not expect where it stands (PyYAML's "expected
    <block end>, but found ']'" and the like), or None: a bracket, comma, colon or mark after
    a field's value (`languages: [en, fr]]`), or at the start of a line or value (`]x: 1`,
    `headline: ,x`); a list item on its field's line (`publisher: - x`); a `!` that starts a
    tag YAML cannot read (`!# note`)."""
    field = key or ("item" if source.lstrip().startswith("- ") else "value")
    if "tag" in context or problem.startswith("found undefined tag handle"):
        if key is not None and value[:1] == "!":  # `headline: !Breaking! Port strike`
            return _reserved(key, value, "!")
        return (
            "a '!' here starts a YAML tag, which syndicate's files do not use: remove it, or"
            f" quote the {field} if it is part of the text"
        )
    if problem == "sequence entries are not allowed here":
        return (
            f"a list item ('- ') cannot follow '{field}:' on its line: put each item on a line"
            f" of its own below it, indented, or quote the {field} if the '- ' is part of the text"
        )
    found = _FOUND.match(problem)
    if found is None:
        return None
    char = _TOKENS.get(found.group(1), found.group(1))
    if len(char) != 1:
        return None
    before = source[:column].strip()
    if not _after_value(source, column):  # the line (or its list item) starts with it
        if char == "-":  # (`- x` cannot lose its '- ': `x` is no field either)
            remedy = "remove the '- '" if key is not None else "remove the line"
            return (
                "this list item ('- ') stands where a field belongs: move it under the field"
                f" whose list it is, indented like that list's items, or {remedy}"
            )
        if char == ":":
            return "this line starts with ':', with no field name before it: write 'name: value'"
        return (
            f"this line starts with {char!r}, which YAML reserves: remove it, or quote the"
            " text it starts"
        )
    if key is not None and value[:1] == char and before.endswith(":"):
        return _reserved(key, value, char)
    tail = source[column:].split(" #", 1)[0].strip()
    return (
        f"{tail!r} comes after the end of the {field}: remove it, or quote"
        f" {whole_value(key)} if it is part of the text"
    )


def _reserved(key: str | None, value: str, char: str) -> str:
    """The fix of a value that starts with a character YAML reserves (`headline: ]Ships`)."""
    example = _example(key, value, char)
    return f"quote the {key or 'value'}: it starts with {char!r}, which YAML reserves{example}"


def _example(key: str | None, value: str, char: str) -> str:
    """The line to write for a field whose value, or whose name (`@en: politics`), starts with
    the reserved `char`: that one quoted."""
    if key and key.startswith(char):
        return f" (write {_quoted(key)}:{f' {value}' if value else ''})"
    return f" (write {key}: {_quoted(value)})" if key and value else ""


def _after_value(source: str, column: int) -> bool:
    """Whether something other than a list item's '- ' comes before `column` on the line."""
    return source[:column].strip().removeprefix("-").strip() != ""


def _key_and_value(source: str) -> tuple[str | None, str]:
    match = _KEY_LINE.fullmatch(source)
    if not match:
        return None, ""
    return match.group(1), (match.group(2) or "").strip()


def flow_scalar(text: str) -> str:
    """`text` as an item of a one-line YAML list or mapping: plain where YAML reads it back as
    that text (`local`), quoted where it would not (`"a, b"`, `""`, `"null"`, `"2"`)."""
    try:
        if text and yaml.safe_load(f"[{text}]") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return _quoted(text)


def _quoted(value: str) -> str:
    """`value` as a quoted YAML scalar: single quotes when it holds double ones."""
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
