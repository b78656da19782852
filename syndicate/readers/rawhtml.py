"""Raw HTML inside Markdown bodies: sanitised with nh3 to what every format can carry, reported
when anything is removed, then read into body nodes by the (X)HTML body reader (which reads the
block elements no format carries, `<div>`, `<table>`, as their text, kept apart)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from lxml import html as lxml_html
from lxml.html import defs as lxml_defs

from syndicate.model.body import Block, Inline
from syndicate.model.source import SourceRef
from syndicate.readers.xhtml import CONTAINERS, START, XhtmlBodyReader

# What NewsML-G2 inlineXML, Atom/RSS content, EPUB XHTML and HTML pages can all carry.
BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "hr"}
INLINE_TAGS = {"em", "i", "strong", "b", "sup", "sub", "a", "code", "br"}
ALLOWED_TAGS = BLOCK_TAGS | INLINE_TAGS
KEPT_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
TABLE_TAGS = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
TABLE = "a table"
"""What `_removed` says of table markup: the Markdown reader words it as its `body.table`."""
URL_SCHEMES = {"http", "https", "mailto"}
# Elements removed with everything inside them: their content is code or controls, not text.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "template", "noscript", "form",
    "textarea", "select", "button", "svg", "math", "frameset", "applet",
}  # fmt: skip
# Elements removed that hold no text: what their attributes said goes with them.
_TEXTLESS = {
    "img", "input", "meta", "base", "link", "area", "source", "track", "param", "wbr", "col",
    "colgroup",
}  # fmt: skip
_EXECUTABLE_SCHEMES = ("javascript:", "vbscript:", "data:")
_TAG = re.compile(r"(</?)([A-Za-z][A-Za-z0-9-]*)(:?)([^<>]*)")
"""A tag: `<` or `</`, its name, a `:` after it (`<o:p>`, Word's markup), and the rest up to
its `>` (its attributes, or the other words of `<Jane Doe>`)."""
_ELEMENTS = frozenset(lxml_defs.tags) | {
    "main", "picture", "template", "dialog", "slot", "search", "data", "bdi", "frame",
    "noframes", "nobr", "noembed", "xmp", "listing", "plaintext", "image", "menuitem", "rb",
    "rtc", "spacer", "bgsound", "layer", "ilayer", "nolayer", "multicol", "nextid", "xml",
    "comment", "content", "shadow", "element", "portal", "selectedcontent",
}  # fmt: skip
"""HTML's elements, those it had and those browsers still know (lxml's list, and the rest
of WHATWG's and the obsolete ones): any other name in angle brackets is a word, `<NATO>`."""
NOT_AN_ELEMENT = " is no HTML element"
"""How `_removed` ends what it says of a word in angle brackets (`<NATO>`), read as a tag and
removed, the word with it: the Markdown reader words it as its `body.unknown-tag`."""
_FOREIGN_CONTENT = re.compile(r"<(?:svg|math)[\s/>]", re.IGNORECASE)
_DECLARATION = re.compile(r"<!([A-Za-z]+)[^>]*>?")
"""`<!DOCTYPE html>`, `<!ELEMENT ...>`: declarations, which the sanitiser removes (and lxml
reads as comments, or, alone, as no document at all)."""
_KEPT_SCHEMES = tuple(f"{scheme}:" for scheme in sorted(URL_SCHEMES))


_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip
_IMPLIED_END = frozenset({
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup",
})  # fmt: skip
"""Elements HTML closes by themselves when the next opens: not counted as nesting."""
_OPEN_OR_CLOSE = re.compile(
    r"""<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])(?:"[^"]*"|'[^']*'|[^<>"'])*?(/?)>"""
)
"""A tag: whether it closes, its name, and whether it ends `/>`. Its attributes are read up
to the `>` that ends it, quoted values whole (`title="a < b"`, `title="a/>b"`), never past
a `<` outside quotes: a fragment of `<a`s with no `>` is read in linear time."""
_FOREIGN = {"svg", "math"}
"""Elements whose content is foreign (SVG, MathML): there `/>` closes the element."""


def html_depth(fragment: str) -> int:
    """How deep the fragment's elements nest, counted from its tags without parsing it (void
    elements and those HTML closes by themselves aside): as deep as an HTML parser would nest
    them, or deeper where a closing tag is left out. A `/` closing a tag that is not void
    closes nothing in HTML: `<div/>` opens a `<div>`; in SVG and MathML it closes the element
    (a chart of a thousand `<rect/>`s is two deep)."""
    depth = deepest = 0
    foreign: list[int] = []  # the depths at which an <svg> or <math> opened, innermost last
    for closing, name, closed in _OPEN_OR_CLOSE.findall(fragment):
        tag = name.lower()
        if tag in _VOID or tag in _IMPLIED_END:
            continue
        if closing:
            # </svg> closes what it holds that was left open too.
            depth = foreign.pop() - 1 if tag in _FOREIGN and foreign else max(0, depth - 1)
            while foreign and foreign[-1] > depth:
                foreign.pop()
        elif closed and (foreign or tag in _FOREIGN):
            continue
        else:
            depth += 1
            deepest = max(deepest, depth)
            if tag in _FOREIGN:
                foreign.append(depth)
    return deepest


@dataclass(frozen=True, slots=True)
class Sanitized:
    html: str
    removed: tuple[str, ...]
    """What was taken out, in words, for warnings."""


def sanitize(fragment: str) -> Sanitized:
    return Sanitized(
        nh3.clean(
            fragment,
            # Block elements pass, bare, so that the reader keeps their text apart.
            tags=ALLOWED_TAGS | CONTAINERS,
            clean_content_tags=DROPPED_WITH_CONTENT,
            attributes={"*": set(), **KEPT_ATTRIBUTES},  # "*": not nh3's lang and title
            url_schemes=URL_SCHEMES,
            url_relative="deny",
            link_rel=None,
            strip_comments=True,
        ),
        tuple(_removed(fragment)),
    )


def _removed(fragment: str) -> list[str]:
    """Describe what the sanitiser drops: dangerous elements, handlers, executable URLs, and
    every other attribute, with what a reader loses with it."""
    found: list[str] = []
    foreign = _FOREIGN_CONTENT.search(fragment) is not None  # (SVG's, MathML's own names)
    for slash, name, namespaced, rest in _TAG.findall(fragment):  # also stray closing tags
        tag = name.lower()
        words = f"{name}{rest}".rstrip("/ \t\n")  # `<Jane Doe>`: both words go
        if tag not in _ELEMENTS and not (namespaced or "-" in tag or foreign):
            found.append(f"{slash}{words}>{NOT_AN_ELEMENT}")  # (a custom element has a -)
        elif (
            slash == "<"
            and "=" not in rest
            and tag not in ALLOWED_TAGS | _VOID | CONTAINERS | DROPPED_WITH_CONTENT | TABLE_TAGS
            and not (namespaced or foreign)
            and not re.search(rf"</{re.escape(name)}\s*>", fragment, re.IGNORECASE)
        ):
            # `<Time>`, or an element closed in a later HTML block (`<figure>`, a blank line,
            # Markdown, `</figure>`): which, the fragment cannot tell (review): a warning
            # that says both.
            found.append(
                f"<{tag}> tag (its text is kept; if <{words}> was meant as a word, it is lost:"
                f" write \\<{words}>)"
            )
        elif tag in DROPPED_WITH_CONTENT:
            found.append(f"<{tag}> element and its content")
        elif tag in TABLE_TAGS:
            found.append(TABLE)
        elif tag == "img":
            found.append("<img> element (list images in story.yaml and place them with ![](file))")
        elif tag not in ALLOWED_TAGS:
            found.append(f"<{tag}> tag (its text is kept)")
    for declared in _DECLARATION.findall(fragment):
        found.append(
            "a <!DOCTYPE> declaration (which starts a whole HTML page, not a part of one)"
            if declared.lower() == "doctype"
            else f"a <!{declared}> declaration (of a DTD, which HTML has no use for)"
        )
    if not (fragment := _DECLARATION.sub("", fragment)).strip():
        return list(dict.fromkeys(found))  # (lxml reads no document in nothing)
    try:
        nodes = lxml_html.fragments_fromstring(fragment)
    except Exception:  # unparseable markup: nh3 keeps only its text
        return [*found, "malformed HTML (only its text is kept)"]
    for node in nodes:
        if isinstance(node, str):
            continue
        for el in node.iter():
            if not isinstance(el.tag, str):  # what lxml reads as a comment
                found.append(_comment(el.text or ""))
                continue
            for name, value in el.attrib.items():
                name = name.lower()
                if name.startswith("on"):
                    found.append(f"{name} event handler attribute")
                elif value.strip().lower().startswith(_EXECUTABLE_SCHEMES):
                    found.append(f"{value.strip().split(':')[0].lower()}: URL in {name}")
                elif name in {"href", "src"} and not value.strip().lower().startswith(
                    _KEPT_SCHEMES
                ):
                    found.append(f"relative URL {value!r} in {name} (use an absolute URL)")
                elif name == "style":
                    found.append("style attribute")
                elif name == "start" and not START.fullmatch(value.strip()):
                    found.append(f"start {value!r} of a list (not a whole number)")
                elif (
                    name not in KEPT_ATTRIBUTES.get(el.tag, ())
                    and _has_text(el)
                    and (lost := _attribute(el.tag, name, value)) is not None
                ):
                    found.append(lost)
    return list(dict.fromkeys(found))


def _comment(text: str) -> str:
    """What HTML reads as a comment, in words: `<?...?>` and `<![CDATA[...]]>` are read as
    comments (`<!--?php ...?-->`), and removed with all they hold."""
    if text.startswith("?"):
        return "a processing instruction (<?...?>, such as PHP code) and all it holds"
    if text.startswith("[CDATA["):
        return (
            "a CDATA section (<![CDATA[...]]>) and its text (HTML reads it as a comment);"
            " write its text without it"
        )
    return "an HTML comment"


def _has_text(el: lxml_html.HtmlElement) -> bool:
    """Whether the sanitiser keeps the text of `el` (whose attributes a reader would miss)."""
    return el.tag not in _TEXTLESS and not any(
        e.tag in DROPPED_WITH_CONTENT for e in (el, *el.iterancestors())
    )


def _attribute(tag: str, name: str, value: str) -> str | None:
    """An attribute removed from an element whose text is kept, and what a reader loses;
    None for one whose loss a reader does not notice (`class`, `id`, `target`, `rel`,
    `data-*`, `dir`, whose text the bidi algorithm still orders): a migrated archive has
    them on nearly every block, and a warning each would bury the ones that matter."""
    if name == "lang":
        return (
            f"lang {value!r} attribute (screen readers will speak its words in the story's"
            " language)"
        )
    if name == "title":
        return "title attribute (its text, shown on hover, is not published; write it out)"
    if tag == "ol" and name == "reversed":
        return "reversed attribute of a list (it is numbered counting up, not down)"
    if tag == "ol" and name == "type":
        return f"type {value!r} of a list (it is numbered 1, 2, 3)"
    if tag == "li" and name == "value":
        return f"value {value!r} of a list item (the list is numbered without it)"
    return None


def html_blocks(clean: str, ref: SourceRef) -> list[Block]:
    """Body blocks from sanitised HTML that starts at `ref` (loose text becomes paragraphs)."""
    return list(_reader(ref).blocks(_parse(clean)))


def html_inlines(clean: str, ref: SourceRef) -> list[Inline]:
    return list(_reader(ref).inlines(_parse(clean)))


def _reader(ref: SourceRef) -> XhtmlBodyReader:
    # Raw HTML cannot place figures (the sanitiser removes <img>): images come from story.yaml.
    return XhtmlBodyReader(ref.at(0), lambda figure: None, first_line=ref.line)


def _parse(clean: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(clean, create_parent="div")
