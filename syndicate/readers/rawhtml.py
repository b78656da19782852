"""Raw HTML inside Markdown bodies: sanitised with nh3 to what every format can carry, reported
when anything is removed, and turned into body tree nodes like the Markdown around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from lxml import html as lxml_html

from syndicate.model.body import (
    Block,
    BlockQuote,
    Code,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Strong,
    Text,
    ThematicBreak,
)
from syndicate.model.source import SourceRef

# What NewsML-G2 inlineXML, Atom/RSS content, EPUB XHTML and HTML pages can all carry.
BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "hr"}
INLINE_TAGS = {"em", "i", "strong", "b", "a", "code", "br"}
ALLOWED_TAGS = BLOCK_TAGS | INLINE_TAGS
URL_SCHEMES = {"http", "https", "mailto"}
# Elements removed with everything inside them: their content is code or controls, not text.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "template", "noscript", "form",
    "textarea", "select", "button", "svg", "math", "frameset", "applet",
}  # fmt: skip
_EXECUTABLE_SCHEMES = ("javascript:", "vbscript:", "data:")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_KEPT_SCHEMES = tuple(f"{scheme}:" for scheme in sorted(URL_SCHEMES))


@dataclass(frozen=True, slots=True)
class Sanitized:
    html: str
    removed: tuple[str, ...]
    """What was taken out, in words, for warnings."""


def sanitize(fragment: str) -> Sanitized:
    return Sanitized(
        nh3.clean(
            fragment,
            tags=ALLOWED_TAGS,
            clean_content_tags=DROPPED_WITH_CONTENT,
            attributes={"a": {"href", "title"}, "ol": {"start"}},
            url_schemes=URL_SCHEMES,
            url_relative="deny",
            link_rel=None,
            strip_comments=True,
        ),
        tuple(_removed(fragment)),
    )


def _removed(fragment: str) -> list[str]:
    """Describe what the sanitiser drops: dangerous elements, handlers, executable URLs."""
    found: list[str] = []
    for name in _TAG.findall(fragment):  # also stray closing tags, which parse to nothing
        tag = name.lower()
        if tag in DROPPED_WITH_CONTENT:
            found.append(f"<{tag}> element and its content")
        elif tag == "img":
            found.append("<img> element (list images in story.yaml and place them with ![](file))")
        elif tag not in ALLOWED_TAGS:
            found.append(f"<{tag}> tag (its text is kept)")
    try:
        nodes = lxml_html.fragments_fromstring(fragment)
    except Exception:  # unparseable markup: nh3 keeps only its text
        return [*found, "malformed HTML (only its text is kept)"]
    for node in nodes:
        if isinstance(node, str):
            continue
        for el in node.iter():
            if not isinstance(el.tag, str):
                found.append("an HTML comment")
                continue
            for name, value in el.attrib.items():
                name = name.lower()
                if name.startswith("on"):
                    found.append(f"{name} event handler attribute")
                elif value.strip().lower().startswith(_EXECUTABLE_SCHEMES):
                    found.append(f"{value.strip().split(':')[0].lower()}: URL in {name}")
                elif name in {"href", "src"} and not value.startswith(_KEPT_SCHEMES):
                    found.append(f"relative URL {value!r} in {name} (use an absolute URL)")
                elif name == "style":
                    found.append("style attribute")
    return list(dict.fromkeys(found))


def html_blocks(clean: str, ref: SourceRef) -> list[Block]:
    """Body blocks from sanitised HTML; loose inline content becomes a paragraph."""
    blocks: list[Block] = []
    pending: list[Inline] = []
    for node in _fragments(clean):
        if not isinstance(node, lxml_html.HtmlElement) or node.tag not in BLOCK_TAGS:
            pending.extend(_inline_nodes([node]))
            continue
        if pending:
            blocks.extend(_paragraph(pending, ref))
            pending = []
        block = _block(node, ref)
        if block is not None:
            blocks.append(block)
    blocks.extend(_paragraph(pending, ref))
    return blocks


def html_inlines(clean: str) -> list[Inline]:
    return _inline_nodes(list(_fragments(clean)))


def _fragments(clean: str) -> list[object]:
    if not clean.strip():
        return []
    return list(lxml_html.fragments_fromstring(clean))


def _paragraph(inlines: list[Inline], ref: SourceRef) -> list[Block]:
    if all(isinstance(n, Text) and not n.text.strip() for n in inlines):
        return []
    return [Paragraph(tuple(inlines), ref)]


def _block(el: lxml_html.HtmlElement, ref: SourceRef) -> Block | None:
    tag = el.tag
    if tag == "p":
        return Paragraph(tuple(_children(el)), ref)
    if tag in {"h2", "h3", "h4", "h5", "h6"}:
        return Heading(int(tag[1]), tuple(_children(el)), ref)
    if tag == "blockquote":
        return BlockQuote(tuple(html_blocks(_inner_html(el), ref)), ref)
    if tag in {"ul", "ol"}:
        items = tuple(tuple(html_blocks(_inner_html(li), ref)) for li in el if li.tag == "li")
        start = el.get("start", "1")
        return ListBlock(tag == "ol", items, ref, int(start) if start.isdigit() else 1)
    if tag == "hr":
        return ThematicBreak(ref)
    return Paragraph(tuple(_children(el)), ref)  # a stray <li>


def _inner_html(el: lxml_html.HtmlElement) -> str:
    from lxml import etree

    inner = el.text or ""
    return inner + "".join(etree.tostring(c, encoding="unicode") for c in el)


def _children(el: lxml_html.HtmlElement) -> list[Inline]:
    nodes: list[object] = [el.text] if el.text else []
    nodes.extend(el)  # each child's tail is read with the child
    return _inline_nodes(nodes)


def _inline_nodes(nodes: list[object]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(Text(node))
            continue
        assert isinstance(node, lxml_html.HtmlElement)
        tag = node.tag
        inner = tuple(_children(node))
        if tag in {"em", "i"}:
            out.append(Emphasis(inner))
        elif tag in {"strong", "b"}:
            out.append(Strong(inner))
        elif tag == "code":
            out.append(Code(node.text_content()))
        elif tag == "br":
            out.append(LineBreak())
        elif tag == "a" and node.get("href"):
            out.append(Link(node.get("href"), inner, node.get("title")))
        else:
            out.extend(inner)
        if node.tail:
            out.append(Text(node.tail))
    return out
