"""(X)HTML body fragments back into the body tree: what the shared renderer wrote (NewsML-G2
inlineXML) and sanitised raw HTML from Markdown sources. Elements are matched by local name, so
namespaced XHTML and plain HTML read alike."""

from __future__ import annotations

import re
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
    Subscript,
    Superscript,
    Text,
    ThematicBreak,
)
from syndicate.model.body import LINK_SCHEMES
from syndicate.xmlbase import XHTML_NS

_X = f"{{{XHTML_NS}}}"


def link_href(value: str) -> str:
    """A link's address as read: the white space around it dropped (HTML ignores it) and its
    scheme in lowercase (`HTTPS://` is `https://` to RFC 3986), so it is taken as the link
    it is (`render.xhtml` writes it in its URI form in every format)."""
    href = value.strip()
    scheme, colon, rest = href.partition(":")
    if colon and scheme.isascii() and scheme.isalpha():
        href = f"{scheme.lower()}:{rest}"
    return href


START = re.compile(r"-?[0-9]{1,9}")
"""An `<ol start>` that is a whole number (bounded: a list number is never huge)."""
CONTAINERS = {
    "li", "div", "section", "article", "aside", "header", "footer", "main", "nav", "center",
    "address", "details", "summary", "dl", "dt", "dd", "figcaption", "pre", "table",
    "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "fieldset", "legend", "hgroup",
    "menu",
}  # fmt: skip
"""Block elements no format carries (raw HTML's `<div>`, `<dl>`, `<table>`; an `<li>` outside a
list): read as what they hold, their text kept apart from the text around it."""


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

    def __init__(self, source: SourceRef, image_index: ImageIndex, first_line: int = 1) -> None:
        self.source = source
        self.image_index = image_index
        self.first_line = first_line
        """The file line of the fragment's first line (for fragments cut out of a file)."""
        self.figures: list[FigureInfo] = []
        self.refused: list[tuple[str, SourceRef]] = []
        """Links whose target is not http(s) or mailto: (kept as their text)."""

    def where(self, el: etree._Element) -> SourceRef:
        return self.source.at(self.first_line - 1 + (el.sourceline or 1))

    def blocks(self, parent: etree._Element) -> tuple[Block, ...]:
        """The blocks in `parent`; loose text and inline elements between blocks (as raw HTML
        can have) become paragraphs."""
        out: list[Block] = []
        loose: list[Inline] = [Text(parent.text)] if parent.text else []
        for child in parent:
            if local(child) in _INLINE:
                loose.extend(self.inline_with_tail(child))
                continue
            self._flush(loose, out, self.where(child))
            block = self.block(child)
            if block is not None:
                out.append(block)
            elif local(child) in CONTAINERS:  # its text is kept, as blocks of their own
                out.extend(self.blocks(child))
            if child.tail:
                loose.append(Text(child.tail))
        self._flush(loose, out, self.where(parent))
        return tuple(out)

    @staticmethod
    def _flush(loose: list[Inline], out: list[Block], where: SourceRef) -> None:
        if any(not isinstance(n, Text) or n.text.strip() for n in loose):
            # (without the spaces at its edges: "Para with <div>x</div> text" is three)
            out.append(Paragraph(_trimmed(tuple(loose)), where))
        loose.clear()

    def block(self, el: etree._Element) -> Block | None:
        name = local(el)
        where = self.where(el)
        if name == "p":
            inlines = _trimmed(self.inlines(el))
            if all(isinstance(n, Text) and not n.text.strip() for n in inlines):
                return None  # what held an embed, or a spacer: no empty <p> in any channel
            return Paragraph(inlines, where)
        if len(name) == 2 and name[0] == "h" and name[1].isdigit():
            return Heading(int(name[1]), _trimmed(self.inlines(el)), where)
        if name == "blockquote":
            return BlockQuote(self.blocks(el), where)
        if name in ("ul", "ol"):
            lis = [li for li in el if local(li) == "li"]
            items = tuple(self.blocks(li) for li in lis)
            tight = not any(local(child) == "p" for li in lis for child in li)
            return ListBlock(name == "ol", items, where, list_start(el.get("start")), tight)
        if name == "hr":
            return ThematicBreak(where)
        if name == "tr" and all(_cell(c) for c in el):  # a row: its cells side by side
            cells = [_trimmed(self.inlines(cell)) for cell in el]
            row: list[Inline] = []
            for cell in filter(None, cells):
                for node in [Text(" "), *cell] if row else cell:
                    if isinstance(node, Text) and row and isinstance(row[-1], Text):
                        row[-1] = Text(row[-1].text + node.text)
                    else:
                        row.append(node)
            return Paragraph(tuple(row), where) if row else None
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
            credit = "".join(small.itertext()) if small is not None else None
        info = FigureInfo(img.get("src", ""), img.get("alt", ""), caption, credit)
        self.figures.append(info)
        index = self.image_index(info)
        return Figure(index, where) if index is not None else None

    def inlines(self, el: etree._Element) -> tuple[Inline, ...]:
        out: list[Inline] = []
        if el.text:
            out.append(Text(el.text))
        for child in el:
            out.extend(self.inline_with_tail(child))
        return tuple(out)

    def inline_with_tail(self, el: etree._Element) -> list[Inline]:
        href = link_href(el.get("href") or "")
        if local(el) == "a" and not href.startswith(LINK_SCHEMES):
            if href:  # the sanitiser disarms links by dropping the href; others are reported
                self.refused.append((href, self.where(el)))
            nodes = list(self.inlines(el))
        elif local(el) in CONTAINERS:  # a block in running text (raw HTML in a heading)
            return self.apart(el)
        else:
            node = self.inline(el)
            nodes = [node] if node is not None else []
        return [*nodes, Text(el.tail)] if el.tail else nodes

    def apart(self, el: etree._Element) -> list[Inline]:
        """A block element in running text (`## A<div>b</div>`): its words and its tail, with a
        space wherever nothing else would keep them from the words around."""
        words = list(_trimmed(self.inlines(el)))
        before, parent = el.getprevious(), el.getparent()
        preceding = before.tail if before is not None else parent.text if parent is not None else ""
        if words and (before is not None or preceding) and not (preceding or "")[-1:].isspace():
            words.insert(0, Text(" "))
        if el.tail:
            if words and not el.tail[0].isspace():
                words.append(Text(" "))
            words.append(Text(el.tail))
        elif words and (after := el.getnext()) is not None and local(after) not in CONTAINERS:
            words.append(Text(" "))
        return words

    def inline(self, el: etree._Element) -> Inline | None:
        name = local(el)
        if name in ("em", "i"):
            return Emphasis(self.inlines(el))
        if name in ("strong", "b"):
            return Strong(self.inlines(el))
        if name == "sup":
            return Superscript(self.inlines(el))
        if name == "sub":
            return Subscript(self.inlines(el))
        if name == "code":
            return Code("".join(el.itertext()))  # `<code>a <b>b</b></code>`: all its text
        if name == "a":
            return Link(link_href(el.get("href", "")), self.inlines(el), el.get("title"))
        if name == "br":
            return LineBreak()
        return None


_INLINE = {"em", "i", "strong", "b", "sup", "sub", "code", "a", "br"}


def _cell(el: etree._Element) -> bool:
    """A table cell of running text (a cell of blocks is read as blocks)."""
    return local(el) in ("td", "th") and all(local(child) in _INLINE for child in el)


def _trimmed(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A block's inlines without the white space that opens or closes it (the line breaks of
    `<h2>\nText\n</h2>`, which HTML does not show, and plain text would)."""
    nodes = list(inlines)
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].text.lstrip(" \t\n\r"))
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text.rstrip(" \t\n\r"))
    return tuple(n for n in nodes if not (isinstance(n, Text) and not n.text))


def list_start(value: str | None) -> int:
    """The number an ordered list starts at: a whole number, as HTML allows; anything else
    (`start="x"`) is ignored, as browsers do."""
    text = (value or "").strip()
    return int(text) if START.fullmatch(text) else 1


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
