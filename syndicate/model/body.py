"""The article body as a small block/inline tree that every renderer walks (never HTML)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from syndicate.model.source import SourceRef

# Inline nodes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Superscript:
    """Raised text: an exponent (10<sup>6</sup>), an ordinal (1<sup>er</sup>), a note's mark.
    Without its markup, "10<sup>6</sup> people" would read "106 people"."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    """Lowered text: a chemical formula's count (CO<sub>2</sub>)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    """Starts with one of `LINK_SCHEMES` (the readers refuse others)."""
    children: tuple[Inline, ...]
    title: str | None = None


LINK_SCHEMES = ("http://", "https://", "mailto:")
"""What a body link may point to: never `javascript:`, `data:` or a local file."""


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


Inline = Text | Emphasis | Strong | Superscript | Subscript | Code | Link | LineBreak

# Block nodes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    children: tuple[Inline, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Heading:
    """A subheading; level 2 is the top level inside a story (the headline is level 1)."""

    level: int
    children: tuple[Inline, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class BlockQuote:
    children: tuple[Block, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    source: SourceRef
    start: int = 1
    tight: bool = False
    """Written without blank lines between its items (CommonMark's tight list, or HTML items
    holding no `<p>`): each item's first paragraph is written in the item itself, as
    CommonMark renders it, and plain text keeps the items on consecutive lines. How the list
    is spaced, not what it says: no part of the story's content digest."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A story image placed in the body; `image` is the index into `Story.images`."""

    image: int
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    source: SourceRef


Block = Paragraph | Heading | BlockQuote | ListBlock | Figure | ThematicBreak


def walk(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block in reading order, those inside quotes and list items included: the one walk
    over a body that plain text, word counts and figure lookups share."""
    for block in blocks:
        yield block
        if isinstance(block, BlockQuote):
            yield from walk(block.children)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk(item)


def placed_images(blocks: Iterable[Block]) -> frozenset[int]:
    """The images a body places (its `Figure`s, in quotes and lists too), as indices into
    `Story.images`."""
    return frozenset(block.image for block in walk(blocks) if isinstance(block, Figure))


_NESTING = frozenset(
    {Paragraph, Heading, BlockQuote, Emphasis, Strong, Superscript, Subscript, Link}
)
"""The nodes whose `children` are one level below them (a list's items' blocks are two)."""
_LEAVES = frozenset({Text, Code, LineBreak, Figure, ThematicBreak})


def depth(block: Block) -> int:
    """How many elements deep the block is, itself one: a paragraph 1, a list item's
    paragraph 3, each emphasis, link or quote one more. Counted without recursion, so a tree
    of any depth is measured. A node is told by its exact type, one set lookup where a
    `match` of class patterns tried each class in turn: every body of every story is measured
    (`_check_depth`); a node of another type (a subclass) is told by `isinstance`."""
    deepest = 1
    todo: list[tuple[Block | Inline, int]] = [(block, 1)]
    while todo:
        node, level = todo.pop()
        kind = type(node)
        if kind in _NESTING:
            children: Iterable[Block | Inline] = node.children  # type: ignore[union-attr]
            below = level + 1
        elif kind is ListBlock:
            children = [child for item in node.items for child in item]  # type: ignore[union-attr]
            below = level + 2
        elif kind in _LEAVES:
            continue
        elif isinstance(node, _NESTING_TYPES):
            children, below = node.children, level + 1  # type: ignore[union-attr]
        elif isinstance(node, ListBlock):
            children = [child for item in node.items for child in item]
            below = level + 2
        else:
            continue
        if children and below > deepest:
            deepest = below
        # (a leaf is as deep as it gets: counted, not kept for the loop)
        todo.extend((child, below) for child in children if type(child) not in _LEAVES)
    return deepest


_NESTING_TYPES = tuple(_NESTING)


_RAISED = str.maketrans(
    "0123456789+-\u2212=()abcdefghijklmnoprstuvwxyz",
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b\u207b"
    "\u207c\u207d\u207e\u1d43\u1d47\u1d9c\u1d48\u1d49\u1da0\u1d4d\u02b0\u2071\u02b2"
    "\u1d4f\u02e1\u1d50\u207f\u1d52\u1d56\u02b3\u02e2\u1d57\u1d58\u1d5b\u02b7"
    "\u02e3\u02b8\u1dbb",
)
"""The characters Unicode has raised forms of (all but q of the small letters)."""
_RAISED_WORDS = {"TM": "\u2122", "SM": "\u2120"}
"""Raised marks Unicode has a character for: Brand<sup>TM</sup> is Brand™."""
_LOWERED = str.maketrans(
    "0123456789+-\u2212=()aehijklmnoprstuvx",
    "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u208a\u208b\u208b"
    "\u208c\u208d\u208e\u2090\u2091\u2095\u1d62\u2c7c\u2096\u2097\u2098\u2099"
    "\u2092\u209a\u1d63\u209b\u209c\u1d64\u1d65\u2093",
)


_WHITE_SPACE = re.compile("[ \t\n\r\f\v]+")
"""The white space a text is written with (spaces, tabs, line breaks): not the spaces
typography chooses, no-break U+00A0, narrow no-break U+202F, figure U+2007, ideographic
U+3000, which `str.split()` also splits at."""


def one_spaced(text: str) -> str:
    """`text` with each run of white space one space, its ends trimmed (a summary written
    over lines is one paragraph), the spaces typography chose kept as written: French
    « environ 4 000 » came out « environ 4 000 », its line breakable inside the
    number, through `" ".join(text.split())`."""
    return _WHITE_SPACE.sub(" ", text).strip(" ")


def raised(text: str) -> str:
    """`text` as superscript in plain text (see `_shifted`)."""
    return _shifted(text, _RAISED, "^")


def lowered(text: str) -> str:
    """`text` as subscript in plain text (see `_shifted`)."""
    return _shifted(text, _LOWERED, "_")


def _shifted(text: str, table: dict[int, int], mark: str) -> str:
    """`text` raised or lowered in plain text: in Unicode's forms when it has one for every
    character (10⁶, CO₂, 1ᵉʳ), else marked (`^(…)`, `_(…)`), so that "10<sup>6</sup>" never
    reads "106"."""
    if all(ord(c) in table for c in text):
        return text.translate(table)
    if mark == "^" and text in _RAISED_WORDS:
        return _RAISED_WORDS[text]
    if not any(c.isalnum() for c in text):  # ®, *, †: no number to run into
        return text
    return f"{mark}({text})"


def inline_text(nodes: tuple[Inline, ...], line_break: str = " ") -> str:
    """The plain text of inline nodes (raised and lowered text in Unicode's superscript and
    subscript forms, see `_shifted`). A hard line break becomes `line_break`: a space where
    the text is one line (a headline, a caption, a count's words), a new line in a body's
    plain text (an address or a verse keeps its lines)."""
    parts: list[str] = []
    for node in nodes:
        match node:
            case Text(text) | Code(text):
                parts.append(text)
            case Emphasis(children) | Strong(children) | Link(_, children):
                parts.append(inline_text(children, line_break))
            case Superscript(children):
                parts.append(raised(inline_text(children)))
            case Subscript(children):
                parts.append(lowered(inline_text(children)))
            case LineBreak():
                parts.append(line_break)
    return "".join(parts)
