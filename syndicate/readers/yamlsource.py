"""YAML parsed safely into plain values plus a map from each value's path to its source line."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from syndicate.readers.textfile import XML_FORBIDDEN

Path = tuple[str | int, ...]

# A bound on constructed values, so that nested aliases ("billion laughs") cannot explode.
MAX_NODES = 100_000
# Deeper than any story needs; PyYAML's composer recurses per level and would overflow the stack.
MAX_DEPTH = 50

_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


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

    def line(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), self.first_line)


def parse_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document; scalars stay strings except ints, floats, booleans and null
    (dates stay text, so the reader can check their form and time zone itself)."""
    try:
        node = _fast_compose(text) or yaml.compose(text, Loader=_DepthLimitedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.context_mark.line != (mark and mark.line):
            message += f" ({exc.context} on line {first_line + exc.context_mark.line})"
        raise YamlProblem(message, line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from None
    doc = YamlDoc(None, first_line=first_line)
    if node is None:
        doc.data = None
        return doc
    builder = _Builder(doc, first_line)
    doc.data = builder.build(node, ())
    return doc


_FAST_DEPTH = MAX_DEPTH // 2
"""Documents nested at most this deep (every story) are composed by libyaml."""
_C_LOADER = getattr(yaml, "CSafeLoader", None)


def _fast_compose(text: str) -> yaml.Node | None:
    """The document's node tree from libyaml, ten times faster than PyYAML's own parser, for
    a shallow document that libyaml reads without a problem; None otherwise, and PyYAML's
    parser (depth-limited, and the source of the messages) takes it."""
    if _C_LOADER is None:
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
    _plain_style(node, set())
    return node


def _plain_style(node: yaml.Node | None, seen: set[int]) -> None:
    """libyaml gives plain scalars the style "", PyYAML None: make them PyYAML's."""
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.style == "":
            node.style = None
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _plain_style(key, seen)
            _plain_style(value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _plain_style(child, seen)


class _DepthLimitedLoader(yaml.SafeLoader):
    """The safe loader, refusing collections nested more than MAX_DEPTH levels."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH and parent is not None:
                problem = f"collections nested more than {MAX_DEPTH} levels deep"
                raise yaml.composer.ComposerError(None, None, problem, parent.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    def __init__(self, doc: YamlDoc, first_line: int) -> None:
        self.doc = doc
        self.offset = first_line
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(
                f"YAML expands to more than {MAX_NODES} values (nested aliases?)",
                self.offset + node.start_mark.line,
            )
        self.doc.lines.setdefault(path, self.offset + node.start_mark.line)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.style == '"':
            return _unescaped(node.value, self.offset + node.start_mark.line)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = self.offset + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("mapping keys must be plain text", line)
            key = str(key_node.value)
            if key == "<<":
                raise YamlProblem("merge keys (<<) are not supported; write the fields out", line)
            if key in out:
                raise YamlProblem(f"duplicate key {key!r}", line)
            self.doc.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        return out

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Any:
        value = node.value
        if node.style is not None:  # quoted or block scalars are always text
            return value
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL.get(value.lower(), value)
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
        return value


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
    return unicodedata.normalize("NFC", value)
