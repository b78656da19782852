"""The shared body renderer: one XHTML fragment for every consumer."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.model import Paragraph, SourceRef, Story, inline_text
from syndicate.readers.markdown import parse_body
from syndicate.render.text import body_text, body_words, char_count, word_count
from syndicate.render.xhtml import XHTML_NS, render_body, to_string

NS = {"x": XHTML_NS}


def test_body_is_an_xhtml_div_with_language_and_direction(sample_story: Story) -> None:
    ar = render_body(sample_story, sample_story.variant("ar"), lambda img: img.file)
    assert ar.tag == f"{{{XHTML_NS}}}div"
    assert ar.get("lang") == "ar" and ar.get("dir") == "rtl"
    assert ar.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    en = render_body(sample_story, sample_story.variant("en"), lambda img: img.file, xml_lang=False)
    assert en.get("dir") is None
    assert en.get("{http://www.w3.org/XML/1998/namespace}lang") is None


def test_structure_follows_the_body_tree(sample_story: Story) -> None:
    div = render_body(sample_story, sample_story.variant("en"), lambda img: img.file)
    assert [h.text for h in div.xpath("x:h2", namespaces=NS)] == [
        "Expand the scope of activities",
        "Escue from Afghanistan is undetermined",
    ]
    assert len(div.xpath("x:blockquote/x:p", namespaces=NS)) == 3
    assert len(div.xpath("x:p", namespaces=NS)) == 17


def test_figures_carry_alt_caption_credit_and_chosen_urls(sample_story: Story) -> None:
    fr = sample_story.variant("fr")
    div = render_body(sample_story, fr, lambda img: f"https://cdn.example/{img.name}")
    (img,) = div.xpath("x:figure/x:img", namespaces=NS)
    assert img.get("src") == "https://cdn.example/nato-iraq-mission.png"
    assert img.get("alt", "").startswith("Diagramme en barres")
    assert (img.get("width"), img.get("height")) == ("1600", "900")
    caption = div.xpath("string(x:figure/x:figcaption)", namespaces=NS)
    assert caption.startswith("La mission de l'OTAN") and "Crédit : YCPress graphic" in caption
    relative = render_body(sample_story, fr, lambda img: img.file)
    assert relative.xpath("string(x:figure/x:img/@src)", namespaces=NS) == (
        "images/nato-iraq-mission.png"
    )
    assert not render_body(sample_story, fr, lambda img: img.file, figures=False).xpath(
        "x:figure", namespaces=NS
    )


def test_the_credited_name_is_isolated_from_the_credit_line(sample_story: Story) -> None:
    """In a right-to-left figure, "YCPress graphic; source NATO" is drawn in its own direction
    only inside a `<bdi>`: left to the Arabic line, its words and semicolon would be reordered."""
    for lang in ("ar", "en"):
        div = render_body(sample_story, sample_story.variant(lang), lambda img: img.file)
        (credit,) = div.xpath("x:figure/x:figcaption/x:small[@class='credit']", namespaces=NS)
        (name,) = credit.xpath("x:bdi", namespaces=NS)
        assert name.text == "YCPress graphic; source NATO"
        assert credit.text == ("المصدر: " if lang == "ar" else "Credit: ")


def test_serialisation_is_well_formed_xhtml(sample_story: Story) -> None:
    for variant in sample_story.variants:
        text = to_string(render_body(sample_story, variant, lambda img: img.file))
        assert etree.fromstring(text).tag == f"{{{XHTML_NS}}}div"


def test_plain_text_and_counts(sample_story: Story) -> None:
    en = body_text(sample_story.variant("en"))
    assert en.startswith("North Atlantic Treaty Organization Secretary-General")
    assert 400 < word_count(en) < 600
    zh = body_text(sample_story.variant("zh-Hans"))
    assert word_count(zh) > 500  # each Han character counts as one word
    assert word_count("Hello, world — 你好") == 4
    assert word_count("서울에서 불꽃놀이가 열렸다.") == 3  # Korean spaces its words
    # Beyond the BMP (Extension B's 𠮷 of Yoshinoya) and half-width kana: a word each, as
    # every other ideograph and kana (they were one word a run)
    assert word_count("𠮷野家") == 3 and word_count("ｶﾀｶﾅ") == 4
    assert word_count("불꽃놀이.") == 1
    # Thai, Lao, Myanmar and Khmer space no words and need a dictionary to count them: each
    # paragraph counted as one word was a tenth of the truth, in what partners bill by
    for unspaced in ("นาโตจะเพิ่มกำลังทหารในอิรัก", "ລາວ", "မြန်မာ", "ខ្មែរ", "NATO นาโต"):
        assert word_count(unspaced) is None, unspaced
    # an English text quoting a Thai name is counted as English
    assert word_count("Former Thai prime minister Thaksin (ทักษิณ) returned home") == 8
    assert char_count("a b\nc") == 3


def test_text_runs_join_around_inline_elements(sample_story: Story) -> None:
    """Adjacent texts are joined, text after an element is its tail, and a long paragraph of
    inline nodes renders all of them (the renderer is linear: tests/bench/body.py)."""
    import dataclasses

    from syndicate.model import Emphasis, LineBreak, Link, Paragraph, Text
    from syndicate.model.source import SourceRef

    nodes = (
        Text("a"),
        Text("b"),
        Emphasis((Text("c"),)),
        Text("d"),
        Text("e"),
        Link("https://example.com/", (Text("f"),), None),
        LineBreak(),
        Text("g"),
    )
    many = tuple(Emphasis((Text("x"),)) for _ in range(5_000))
    here = SourceRef("en.md", 1)
    body = (Paragraph(nodes, here), Paragraph((*many, Text("end")), here))
    variant = dataclasses.replace(sample_story.variant("en"), body=body)
    div = render_body(sample_story, variant, lambda img: img.file, xml_lang=False)
    first, second = to_string(div[0]), div[1]
    assert first == (
        f'<p xmlns="{XHTML_NS}">ab<em>c</em>de<a href="https://example.com/">f</a><br/>g</p>'
    )
    assert len(second) == 5_000 and second[-1].tail == "end"


def test_plain_text_numbers_list_items_and_counts_no_marks(sample_story: Story) -> None:
    """A list in plain text (JSON-LD articleBody, ninjs' text/plain body) keeps its numbers
    or bullets, as pandoc's plain text does: "the three steps below" must find its steps.
    The word count is the text's, without the marks."""
    markdown = (
        "Do three things:\n\n"
        "3. Check the source.\n"
        "4. Call back.\n\n"
        "   - twice if needed\n"
        "   - then write\n"
        "5. File.\n\n"
        "> - quoted bullet\n"
    )
    blocks = parse_body(markdown, SourceRef("en.md", 1), lambda src: 0, Diagnostics())
    variant = replace(sample_story.variant("en"), body=blocks)
    assert body_text(variant).split("\n\n") == [
        "Do three things:",
        "3. Check the source.",
        "4. Call back.",
        "   - twice if needed\n   - then write",  # a tight list: its items line by line
        "5. File.",
        "- quoted bullet",
    ]
    assert word_count(body_words(variant)) == 16
    # An item that is a figure alone, left out of plain text: no bare "1." for it
    blocks = parse_body(
        "Intro.\n\n1. ![](images/one.png)\n2. second item\n",
        SourceRef("en.md", 1),
        lambda src: 0,
        Diagnostics(),
    )
    variant = replace(sample_story.variant("en"), body=blocks)
    assert body_text(variant).split("\n\n") == ["Intro.", "2. second item"]


def test_an_empty_element_is_written_with_its_end_tag_for_html_readers(
    sample_story: Story,
) -> None:
    """`<em></em>` pasted from an old CMS was written `<em/>` in RSS's content:encoded, JSON
    Feed's content_html and ninjs' body_html, which are read as HTML: there `<em/>` is a
    start tag, and the rest of the story ran on in italics. An empty element keeps its end
    tag; void ones (`<br/>`, `<img/>`) stay as they are, and an HTML parser reads the text
    as the XML parser does."""
    from lxml import html as lxml_html

    markdown = "Intro <em></em> after, <b></b> and <sup></sup> too.\n\nA  \nbreak.\n"
    blocks = parse_body(markdown, SourceRef("en.md", 1), lambda src: 0, Diagnostics())
    variant = replace(sample_story.variant("en"), body=blocks)
    div = render_body(sample_story, variant, lambda img: img.file, xml_lang=False)
    written = to_string(div)
    assert "/>" not in written.replace("<br/>", "")
    assert "<em></em>" in written and "<br/>" in written
    parsed = lxml_html.fragment_fromstring(written)
    assert [p.text_content() for p in parsed.iter("p")] == [
        "Intro  after,  and  too.",
        "Abreak.",
    ]
    assert parsed.find(".//em") is not None and len(parsed.find(".//em")) == 0


def test_plain_text_keeps_a_hard_line_break_as_a_new_line(sample_story: Story) -> None:
    """An address or a verse written with hard line breaks kept its lines on the page and in
    the EPUB, but ran them together in plain text (ninjs' text/plain body, JSON-LD's
    articleBody): "12 Rue de Rivoli Paris" for two lines. Inside a list item the next line
    keeps the item's indent. A count's words and a one-line text still take a space."""
    markdown = "Write to:\\\n12 Rue de Rivoli  \nParis\n\n- first\\\n  second\n"
    blocks = parse_body(markdown, SourceRef("en.md", 1), lambda src: 0, Diagnostics())
    variant = replace(sample_story.variant("en"), body=blocks)
    assert body_text(variant) == "Write to:\n12 Rue de Rivoli\nParis\n\n- first\n   second"
    assert word_count(body_words(variant)) == 9
    (paragraph, _) = blocks
    assert isinstance(paragraph, Paragraph)
    assert inline_text(paragraph.children) == "Write to: 12 Rue de Rivoli Paris"
    # a break that ends a block ends no line of it (review): no blank line, no line of spaces
    markdown = "Line one<br>\n\n- first item<br>\n- second\n"
    blocks = parse_body(markdown, SourceRef("en.md", 1), lambda src: 0, Diagnostics())
    variant = replace(sample_story.variant("en"), body=blocks)
    assert body_text(variant) == "Line one\n\n- first item\n- second"


@pytest.mark.parametrize(
    ("markdown", "xhtml", "text"),
    [
        (
            "- one *a*\n- two\n  - nested\n- three\n",
            "<ul><li>one <em>a</em></li><li>two<ul><li>nested</li></ul></li><li>three</li></ul>",
            "- one a\n- two\n   - nested\n- three",
        ),
        (  # a loose list inside a tight one keeps its own blank line
            "- a\n  - b\n\n  - c\n- d\n",
            "<ul><li>a<ul><li><p>b</p></li><li><p>c</p></li></ul></li><li>d</li></ul>",
            "- a\n   - b\n\n   - c\n- d",
        ),
        (
            "1. one\n\n2. two\n",
            "<ol><li><p>one</p></li><li><p>two</p></li></ol>",
            "1. one\n\n2. two",
        ),
        (
            "<ul><li>raw a</li><li>raw <b>b</b></li></ul>\n",
            "<ul><li>raw a</li><li>raw <strong>b</strong></li></ul>",
            "- raw a\n- raw b",
        ),
        (
            "<ol><li><p>raw a</p></li><li><p>raw b</p></li></ol>\n",
            "<ol><li><p>raw a</p></li><li><p>raw b</p></li></ol>",
            "1. raw a\n\n2. raw b",
        ),
    ],
    ids=["tight", "loose-in-tight", "loose", "raw-tight", "raw-loose"],
)
def test_a_tight_list_is_written_tight_in_every_channel(
    sample_story: Story, markdown: str, xhtml: str, text: str
) -> None:
    """A list written without blank lines between its items was written loose everywhere
    (`<li><p>`, paragraphs apart in plain text), spaced as no reader of the source saw it.
    Its spacing is no part of what the story says: its content digest does not move."""
    from syndicate.model.codec import content_digest

    blocks = parse_body(markdown, SourceRef("en.md", 1), lambda src: 0, Diagnostics())
    variant = replace(sample_story.variant("en"), body=blocks)
    div = render_body(sample_story, variant, lambda img: img.file, xml_lang=False)
    written = "".join(to_string(child) for child in div).replace(f' xmlns="{XHTML_NS}"', "")
    assert written == xhtml
    assert body_text(variant) == text
    (listed,) = blocks
    spaced = replace(listed, tight=not listed.tight)
    other = replace(
        sample_story,
        variants=tuple(
            replace(v, body=(spaced,)) if v.lang == "en" else v for v in sample_story.variants
        ),
    )
    story = replace(
        sample_story,
        variants=tuple(
            replace(v, body=blocks) if v.lang == "en" else v for v in sample_story.variants
        ),
    )
    assert content_digest(other) == content_digest(story)
