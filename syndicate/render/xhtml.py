"""The one body renderer: a variant's body tree to an XHTML fragment, used by every XHTML consumer
(NewsML-G2 inlineXML, Atom/RSS content, EPUB chapters, HTML pages); none writes its own."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from lxml import etree

from syndicate.i18n.locales import borrowed, direction, stated_tag
from syndicate.i18n.terms import term, term_language
from syndicate.i18n.text import Part, credit_parts
from syndicate.model import (
    Block,
    BlockQuote,
    Code,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Story,
    Strong,
    Subscript,
    Superscript,
    Text,
    ThematicBreak,
    Variant,
)
from syndicate.model.body import LINK_SCHEMES
from syndicate.xmlbase import XHTML_NS, XML_LANG


@lru_cache(maxsize=4096)
def link_uri(href: str) -> str:
    """A body link in the URI form every format writes, however the story wrote it: that of
    Markdown's links (markdown-it's: an international host in IDNA form, a space or a letter
    beyond ASCII percent-encoded; a link Markdown made is the same again). A raw `<a href>`
    went out as written: `https://example.com/a b` in a book, which EPUBCheck refuses. Done
    as the link is written, not as it is read: the story says what it said, and a story
    published before keeps its digest (`codec.content_digest`)."""
    from markdown_it.common.normalize_url import normalizeLink

    return str(normalizeLink(href)) if href.startswith(LINK_SCHEMES) else href


_X = f"{{{XHTML_NS}}}"

ImageSrc = Callable[[Image], str]
"""How an image is addressed in this output: an absolute URL, or a path inside a package."""


def render_body(
    story: Story,
    variant: Variant,
    image_src: ImageSrc,
    *,
    xml_lang: bool = True,
    figures: bool = True,
    corrected: bool = False,
    wire: bool = False,
    lead: bool = False,
) -> etree._Element:
    """`<div lang=".." dir="..">` in the XHTML namespace holding the rendered body.

    `xml_lang` adds `xml:lang` beside `lang` (XHTML documents want both); `figures=False`
    leaves images out (for consumers that carry them separately); `corrected` ends it with
    the public correction note (`render_correction`), as every channel that carries the
    body whole shows it (feeds, JSON Feed, books, the wire's bodies; a page places it from
    its template). `wire` is for the channels wire partners read (NewsML-G2, ninjs), who
    had an embargoed version: they are told of a correction the public never saw made
    (`Story.public_correction_for`). `lead` begins it with the story's lead images
    (`Story.lead_images`: listed, placed in no language's body), each a `<figure
    class="lead">` as a placed one is, for the outputs that show the story as a reader sees
    it (HTML pages, EPUB books); the wire's and the feeds' bodies carry them as media beside
    the body instead.
    """
    div = etree.Element(_X + "div", nsmap={None: XHTML_NS})
    set_language(div, variant.lang, xml_lang=xml_lang)
    for index in story.lead_images if lead and figures else ():
        figure = render_figure(
            div, story, story.images[index], variant.lang, image_src, xml_lang=xml_lang
        )
        figure.set("class", "lead")
    renderer = _Renderer(story, variant, image_src, figures, xml_lang)
    for block in variant.body:
        renderer.block(div, block)
    if corrected and (correction := render_correction(story, variant.lang, wire=wire)) is not None:
        div.append(correction)
    return div


def language_attributes(lang: str, *, xml_lang: bool = True) -> dict[str, str]:
    """`lang`, optionally `xml:lang`, and `dir` for right-to-left languages; the language
    stated with the tag BCP 47 prefers (`stated_tag`: `he` for `iw`)."""
    stated = stated_tag(lang)
    attributes = {"lang": stated}
    if xml_lang:
        attributes[XML_LANG] = stated
    if direction(lang) == "rtl":
        attributes["dir"] = "rtl"
    return attributes


def set_language(element: etree._Element, lang: str, *, xml_lang: bool = True) -> None:
    """Set `language_attributes` on an element."""
    for name, value in language_attributes(lang, xml_lang=xml_lang).items():
        element.set(name, value)


def mark_language(
    element: etree._Element, lang: str, within: str, *, xml_lang: bool = True
) -> None:
    """Mark `element` as written in `lang` inside text in `within` (a caption in the
    original's language on a page of a translation that has none): its language, so that a
    screen reader speaks it in its own voice, and its direction where it differs, so that the
    page's direction does not reorder it."""
    set_language(element, lang, xml_lang=xml_lang)
    if direction(lang) == "ltr" and direction(within) == "rtl":
        element.set("dir", "ltr")


def foreign_language(text_lang: str | None, lang: str) -> dict[str, str]:
    """The attributes (without `xml:lang`) of a text given under `text_lang` (see
    `Localized.written_in`) shown in `lang`: none for `lang`'s own; `dir="auto"` for one text
    for every language (its language unknown, its direction its own); else its language and
    direction, as `mark_language` sets them."""
    if text_lang == "*":
        return {"dir": "auto"}
    if text_lang is None or not borrowed(text_lang, lang):
        return {}
    attributes = language_attributes(text_lang, xml_lang=False)
    if direction(text_lang) == "ltr" and direction(lang) == "rtl":
        attributes["dir"] = "ltr"
    return attributes


def render_figure(
    parent: etree._Element,
    story: Story,
    image: Image,
    lang: str,
    image_src: ImageSrc,
    *,
    xml_lang: bool = True,
) -> etree._Element:
    """`<figure>` with the image, its caption and credit: also used for lead images. A text
    alternative in another language than `lang` (the original's, when `lang` has none) says
    its language on the image, so that a screen reader speaks it in its own voice."""
    figure = etree.SubElement(parent, _X + "figure")
    img = etree.SubElement(figure, _X + "img")
    img.set("src", image_src(image))
    alt = image.alt.get(lang)
    if alt is None:  # the original's, in its language (the reader warns: `image.alt`)
        alt = image.alt.get(story.original_lang)
        if alt:
            mark_language(img, story.original_lang, lang, xml_lang=xml_lang)
    img.set("alt", alt or "")
    img.set("width", str(image.width))
    img.set("height", str(image.height))
    caption = image.caption.get(lang) if image.caption else None
    borrowed = caption is None and image.caption is not None
    if borrowed and image.caption is not None:  # the original's, said in its language
        caption = image.caption.get(story.original_lang)
    if caption or image.credit:
        figcaption = etree.SubElement(figure, _X + "figcaption")
        if caption and borrowed:
            span = etree.SubElement(figcaption, _X + "span")
            span.text = caption
            span.tail = " " if image.credit else None
            mark_language(span, story.original_lang, lang, xml_lang=xml_lang)
        else:
            figcaption.text = f"{caption} " if caption and image.credit else caption
        if image.credit:
            credit = etree.SubElement(figcaption, _X + "small")
            credit.set("class", "credit")
            append_parts(credit, credit_parts(image.credit, lang))
            _in_phrase_language(credit, "credit", lang, xml_lang)
    return figure


def _in_phrase_language(element: etree._Element, key: str, lang: str, xml_lang: bool) -> None:
    """Mark `element`, made from syndicate's phrase `key`, as English where English stands in
    for `lang`'s (`term_language`): a screen reader reads "Credit" in English, a right-to-left
    page keeps its order."""
    phrase_lang = term_language(key, lang)
    if phrase_lang != lang:
        mark_language(element, phrase_lang, lang, xml_lang=xml_lang)


def append_parts(element: etree._Element, pieces: list[Part]) -> None:
    """A composed text's pieces into `element`, each isolated value in a `<bdi>`."""
    last: etree._Element | None = None
    for text, value in pieces:
        if value:
            last = etree.SubElement(element, _X + "bdi")
            last.text = text
        elif last is None:
            element.text = (element.text or "") + text
        else:
            last.tail = (last.tail or "") + text


def render_correction(
    story: Story, lang: str, *, xml_lang: bool = True, wire: bool = False
) -> etree._Element | None:
    """The correction note of a corrected story in `lang`, the same in every format that shows
    the body: `<aside class="correction" role="note"><h2>Correction</h2><p>...</p></aside>`;
    None for a language first published with the correction (`Story.correction_for`), and,
    unless for the `wire`, for one corrected before it reached the public
    (`Story.public_correction_for`)."""
    correction = story.correction_for(lang) if wire else story.public_correction_for(lang)
    if correction is None:
        return None
    aside = etree.Element(_X + "aside", nsmap={None: XHTML_NS})
    aside.set("class", "correction")
    aside.set("role", "note")
    heading = etree.SubElement(aside, _X + "h2")
    heading.text = term("correction", lang)
    _in_phrase_language(heading, "correction", lang, xml_lang)
    note = etree.SubElement(aside, _X + "p")
    note.text = correction.note.get(lang)
    if note.text is None:  # the original's note, said in its language
        note.text = correction.note.get(story.original_lang) or ""
        mark_language(note, story.original_lang, lang, xml_lang=xml_lang)
    return aside


def correction_text(story: Story, lang: str, *, wire: bool = False) -> str | None:
    """`render_correction` as plain text, for a plain-text body to end with: its heading and
    its note, each a paragraph ("Correction\n\nCorrects the number of troops.")."""
    aside = render_correction(story, lang, wire=wire)
    if aside is None:
        return None
    return "\n\n".join("".join(child.itertext()) for child in aside)


_VOID = frozenset(_X + name for name in ("br", "hr", "img", "wbr"))
"""The HTML void elements a body holds: the only ones written as `<br/>`."""


def to_string(element: etree._Element) -> str:
    """Serialise as XML (valid XHTML), namespace declared on the root element, that an HTML
    parser reads the same (RSS's `content:encoded`, JSON Feed's `content_html` and ninjs'
    `body_html` are read as HTML): an empty element other than a void one is written with its
    end tag, `<em></em>`, never `<em/>`, which HTML reads as a start tag whose element runs
    on over the rest of the story. (An empty element is given an empty text to that end.)"""
    for node in element.iter(etree.Element):
        if node.text is None and not len(node) and node.tag not in _VOID:
            node.text = ""
    return str(etree.tostring(element, encoding="unicode"))


class _Renderer:
    def __init__(
        self, story: Story, variant: Variant, image_src: ImageSrc, figures: bool, xml_lang: bool
    ) -> None:
        self.story = story
        self.variant = variant
        self.image_src = image_src
        self.figures = figures
        self.xml_lang = xml_lang

    def block(self, parent: etree._Element, block: Block) -> None:
        match block:
            case Paragraph(children):
                self.inlines(etree.SubElement(parent, _X + "p"), children)
            case Heading(level, children):
                self.inlines(etree.SubElement(parent, f"{_X}h{min(level, 6)}"), children)
            case BlockQuote(children):
                quote = etree.SubElement(parent, _X + "blockquote")
                for child in children:
                    self.block(quote, child)
            case ListBlock(ordered, items, _, start, tight):
                lst = etree.SubElement(parent, _X + ("ol" if ordered else "ul"))
                if ordered and start != 1:
                    lst.set("start", str(start))
                for item in items:
                    li = etree.SubElement(lst, _X + "li")
                    for number, child in enumerate(item):
                        if tight and not number and isinstance(child, Paragraph):
                            self.inlines(li, child.children)  # `<li>text`, as CommonMark
                        else:
                            self.block(li, child)
            case Figure(index):
                if self.figures:
                    image = self.story.images[index]
                    render_figure(
                        parent,
                        self.story,
                        image,
                        self.variant.lang,
                        self.image_src,
                        xml_lang=self.xml_lang,
                    )
            case ThematicBreak():
                etree.SubElement(parent, _X + "hr")

    def inlines(self, parent: etree._Element, nodes: tuple[Inline, ...]) -> None:
        """The nodes inside `parent`. Linear in the number of nodes: the last child made is
        remembered (lxml counts children by walking them) and runs of text are joined once."""
        last: etree._Element | None = None
        texts: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                texts.append(node.text)
                continue
            if texts:
                _append_text(parent, last, "".join(texts))
                texts.clear()
            last = self.inline(parent, node)
        if texts:
            _append_text(parent, last, "".join(texts))

    def inline(self, parent: etree._Element, node: Inline) -> etree._Element:
        """The element of one inline node other than text, appended to `parent`."""
        match node:
            case (
                Emphasis(children) | Strong(children) | Superscript(children) | Subscript(children)
            ):
                made = etree.SubElement(parent, _X + _WRAPPING[type(node)])
                self.inlines(made, children)
            case Code(text):
                made = etree.SubElement(parent, _X + "code")
                made.text = text
            case Link(href, children, title):
                made = etree.SubElement(parent, _X + "a")
                made.set("href", link_uri(href))
                if title:
                    made.set("title", title)
                self.inlines(made, children)
            case LineBreak():
                made = etree.SubElement(parent, _X + "br")
            case _:
                raise TypeError(f"not an inline node: {node!r}")
        return made


_WRAPPING: dict[type, str] = {
    Emphasis: "em",
    Strong: "strong",
    Superscript: "sup",
    Subscript: "sub",
}
"""The element of each inline node that wraps others."""


def _append_text(parent: etree._Element, last: etree._Element | None, text: str) -> None:
    """Set the text after `last`, the last child of `parent` (its tail), or inside `parent`
    when it has no children. `inlines` calls it once for each: both are empty before."""
    if last is not None:
        last.tail = text
    else:
        parent.text = text
