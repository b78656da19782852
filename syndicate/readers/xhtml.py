"""XHTML body fragments (as the shared renderer writes them) back into the body tree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from syndicate.model import (
    Block,
    BlockQuote,
    Code,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    SourceRef,
    Strong,
    Text,
    ThematicBreak,
)
from syndicate.render.xhtml import XHTML_NS

_X = f"{{{XHTML_NS}}}"


@dataclass(frozen=True, slots=True)
class FigureInfo:
    """What a `<figure>` says about its image: the image source and its texts."""

    src: str
    alt: str
    caption: str | None
    credit: str | None
    """The credit line as shown ("Credit: YCPress"); the caller knows the term around it."""


ImageIndex = Callable[[FigureInfo], int | None]
"""Which story image a figure shows (an index into `Story.images`), None if none."""


class XhtmlBodyReader:
    """Reads the children of a body `<div>`; figures are resolved through `image_index`, and
    every element becomes a node pointing back to `source` (the file it came from)."""

    def __init__(self, source: SourceRef, image_index: ImageIndex) -> None:
        self.source = source
        self.image_index = image_index
        self.figures: list[FigureInfo] = []

    def blocks(self, parent: etree._Element) -> tuple[Block, ...]:
        out: list[Block] = []
        for child in parent:
            block = self.block(child)
            if block is not None:
                out.append(block)
        return tuple(out)

    def block(self, el: etree._Element) -> Block | None:
        name = local(el)
        where = self.source.at(el.sourceline or 0)
        if name == "p":
            return Paragraph(self.inlines(el), where)
        if len(name) == 2 and name[0] == "h" and name[1].isdigit():
            return Heading(int(name[1]), self.inlines(el), where)
        if name == "blockquote":
            return BlockQuote(self.blocks(el), where)
        if name in ("ul", "ol"):
            items = tuple(self.blocks(li) for li in el if local(li) == "li")
            return ListBlock(name == "ol", items, where, int(el.get("start", "1")))
        if name == "hr":
            return ThematicBreak(where)
        if name == "figure":
            return self.figure(el, where)
        return None

    def figure(self, el: etree._Element, where: SourceRef) -> Figure | None:
        img = el.find(_X + "img")
        if img is None:
            return None
        caption_el = el.find(_X + "figcaption")
        caption = credit = None
        if caption_el is not None:
            caption = (caption_el.text or "").strip() or None
            small = caption_el.find(_X + "small")
            credit = small.text if small is not None else None
        info = FigureInfo(img.get("src", ""), img.get("alt", ""), caption, credit)
        self.figures.append(info)
        index = self.image_index(info)
        return Figure(index, where) if index is not None else None

    def inlines(self, el: etree._Element) -> tuple[Inline, ...]:
        out: list[Inline] = []
        if el.text:
            out.append(Text(el.text))
        for child in el:
            node = self.inline(child)
            if node is not None:
                out.append(node)
            if child.tail:
                out.append(Text(child.tail))
        return tuple(out)

    def inline(self, el: etree._Element) -> Inline | None:
        name = local(el)
        if name == "em":
            return Emphasis(self.inlines(el))
        if name == "strong":
            return Strong(self.inlines(el))
        if name == "code":
            return Code(el.text or "")
        if name == "a":
            return Link(el.get("href", ""), self.inlines(el), el.get("title"))
        if name == "br":
            return LineBreak()
        return None


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
