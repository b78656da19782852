"""The article body as a small block/inline tree that every renderer walks (never HTML)."""

from __future__ import annotations

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
    children: tuple[Inline, ...]
    title: str | None = None


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


def inline_text(nodes: tuple[Inline, ...]) -> str:
    """The plain text of inline nodes (line breaks become spaces)."""
    parts: list[str] = []
    for node in nodes:
        match node:
            case Text(text) | Code(text):
                parts.append(text)
            case (
                Emphasis(children)
                | Strong(children)
                | Superscript(children)
                | Subscript(children)
                | Link(_, children)
            ):
                parts.append(inline_text(children))
            case LineBreak():
                parts.append(" ")
    return "".join(parts)
