"""What an archive migrated from Hugo or pandoc carries in its Markdown: each construct comes
through every channel as meant (the shared body tree), or is refused at its line with a fix;
nothing is lost, mangled or published as other tools' markup without a word."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_SLUG
from test_reader import STORY, VARIANT, read, write_story

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.model import (
    Code,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    SiteConfig,
    SourceRef,
    Subscript,
    Text,
    inline_text,
    walk,
)
from syndicate.readers.markdown import parse_body

WHERE = SourceRef("en.md", 8)


def body(markdown: str) -> tuple[tuple[object, ...], Diagnostics]:
    diags = Diagnostics()
    return parse_body(markdown, WHERE, lambda src: 0, diags), diags


def codes(diags: Diagnostics) -> list[str]:
    return [d.code for d in diags.errors]


def test_a_list_may_start_at_zero() -> None:
    (listed,), diags = body("0. zero\n1. one\n")
    assert isinstance(listed, ListBlock) and listed.start == 0 and not list(diags)


def test_text_inside_raw_code_is_all_kept() -> None:
    (paragraph,), _ = body("<code>a <b>bold</b> c</code> end.\n")
    assert isinstance(paragraph, Paragraph)
    assert paragraph.children == (Code("a bold c"), Text(" end."))


def test_an_item_outside_a_list_keeps_its_text() -> None:
    blocks, _ = body("<li>orphan item</li>\n")
    assert blocks == (Paragraph((Text("orphan item"),), WHERE),)


@pytest.mark.parametrize(
    "markdown",
    [
        '<p><iframe src="https://www.youtube.com/embed/abc"></iframe></p>\n',
        "<p></p>\n",
        "<p>&nbsp;</p>\n",
        "&nbsp;\n",
    ],
)
def test_what_held_only_an_embed_or_a_space_is_no_paragraph(markdown: str) -> None:
    """An empty `<p>` is invalid HTML once feeds write it `<p/>`."""
    blocks, diags = body(markdown)
    assert blocks == () and not diags.errors


def test_raw_headings_and_paragraphs_lose_the_line_breaks_around_their_text() -> None:
    blocks, _ = body(
        '<h2>\nA heading <a href="https://e.example/">link</a>\n</h2>\n\n<p>\nText\n</p>\n'
    )
    heading, paragraph = blocks
    assert isinstance(heading, Heading) and isinstance(heading.children[0], Text)
    assert heading.children[0].text == "A heading " and len(heading.children) == 2
    assert isinstance(paragraph, Paragraph) and paragraph.children == (Text("Text"),)


@pytest.mark.parametrize(
    ("markdown", "code", "said"),
    [
        ("[![Chart](images/x.png)](https://e.example/full)\n", "body.figure", "inside a link"),
        ("~~4~~ 5 ministers resigned.\n", "body.strikethrough", "would read as current"),
        ("<del>4</del> <ins>5</ins> ministers.\n", "body.strikethrough", "correction:"),
        (
            'Price: <span style="text-decoration: line-through">€10</span> €8.\n',
            "body.strikethrough",
            "line-through",
        ),
        (
            "<p style='text-decoration-line:line-through'>4 ministers</p>\n",
            "body.strikethrough",
            "",
        ),
        ("{{< youtube dQw4w9WgXcQ >}}\n", "body.shortcode", "a Hugo shortcode"),
        ('{{<tweet user="x" id="1">}}\n', "body.shortcode", "a Hugo shortcode"),
        ("{{% note %}}\nRead this.\n{{% /note %}}\n", "body.shortcode", "{{% note %}}"),
        ('A <sup>1</sup> and a <a href="/2021/other/">link</a>.\n', "body.link", "absolute"),
        ("[](https://e.example/empty)\n", "body.link", "with no words"),
        ("H<sub>2</sub>O [it](javascript:alert(1))\n", "body.link", "its Markdown text"),
    ],
)
def test_markup_no_channel_shows_as_meant_is_refused_at_its_line(
    markdown: str, code: str, said: str
) -> None:
    _, diags = body(markdown)
    found = [d for d in diags.errors if d.code == code]
    assert found and found[0].line == 8 and said in found[0].message, [d.message for d in diags]


@pytest.mark.parametrize(
    ("field", "said"),
    [
        ("title", "syndicate calls 'title' 'headline'"),
        ("date", "syndicate calls 'date' 'published'"),
        ("tags", "syndicate calls 'tags' 'keywords'"),
        ("description", "syndicate calls 'description' 'summary'"),
        ("draft", "'status': withheld for a draft"),
    ],
)
def test_other_tools_front_matter_fields_are_named_as_syndicate_names_them(
    tmp_path: Path, site_config: SiteConfig, field: str, said: str
) -> None:
    write_story(
        tmp_path, "2026-01-05-migrated", en=VARIANT.replace("---\n", f"---\n{field}: x\n", 1)
    )
    _, diags = read(tmp_path, site_config)
    assert any(said in d.message for d in diags.errors), [d.message for d in diags]


def test_toml_front_matter_is_named(tmp_path: Path, site_config: SiteConfig) -> None:
    write_story(tmp_path, "2026-01-05-migrated", en='+++\ntitle = "A"\n+++\nText.\n')
    _, diags = read(tmp_path, site_config)
    assert any("TOML or JSON front matter" in d.message for d in diags.errors)


@pytest.mark.parametrize("src", ["/images/hugo-static.jpg", "https://cdn.example.com/photo.jpg"])
def test_an_image_of_a_site_or_the_web_is_told_to_come_into_the_story_folder(
    tmp_path: Path, site_config: SiteConfig, src: str
) -> None:
    """As a Hugo page writes them in its body, or in story.yaml's images."""
    write_story(tmp_path / "a", "2026-01-05-migrated", en=VARIANT + f"\n![A photo]({src})\n")
    story = STORY + f"images:\n  - file: {src}\n    alt: A photo\n    caption: A caption\n"
    write_story(tmp_path / "b", "2026-01-05-migrated", story)
    for folder in ("a", "b"):
        _, diags = read(tmp_path / folder, site_config)
        assert any(
            "copy it into the story folder (images/...)" in d.message for d in diags.errors
        ), [d.message for d in diags]


def test_a_body_of_figures_alone_gives_no_empty_article_body(tmp_path: Path) -> None:
    """jsonld_check warns on an empty `articleBody`: a body with no text has none."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    text = site / "articles" / SAMPLE_SLUG / "en.md"
    front, _, _ = text.read_text(encoding="utf-8").partition("\n---\n")
    text.write_text(f"{front}\n---\n![](images/nato-iraq-mission.png)\n", encoding="utf-8")
    args = ["export", "-q", "-f", "jsonld", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(site / "out")]
    assert main(args) == 0
    graph = json.loads((site / "out" / "jsonld" / f"{SAMPLE_SLUG}.en.jsonld").read_bytes())
    article = next(n for n in graph["@graph"] if n["@type"] == "NewsArticle")
    assert "articleBody" not in article and article["wordCount"] == 0


@pytest.mark.parametrize(
    "markdown",
    [
        "Hugo embeds video with `{{< youtube id >}}`.\n",
        "Write `a~~b~~c` to strike.\n",
        "The (`<s`) tag.\n",
        '<a href="https://e.example/line-through" style="color: red">A link</a>.\n',
        "See [the chart](https://e.example/) below.\n\n![](images/x.png)\n",
        # bracketed text, no link with a space: said as text (the spaced-link check)
        "He said [sic] and cited [1], [2] (2019) and [a] (b c).\n",
        "Written \\[as text\\](a b), escaped.\n",
        "Quoted `[x](a b)` in code.\n",
        "[Fine](<https://e.example/a b>) and [fine](https://e.example/a 'title').\n",
        "Bracketed [words](in parentheses\nover lines) are no address.\n",
        # words in brackets then in parentheses, no address (review): prose, not refused
        "It was [sic](as written) approved, section 5[a](1 and 2), [1](Smith 2020, p. 4).\n",
        "Code `[x](https://e.example/a b)` quoted, and **`[y](https://e.example/c d)`**.\n",
    ],
)
def test_markup_quoted_in_code_or_beside_a_link_is_no_error(markdown: str) -> None:
    """A story about the markup quotes it in code: text, not a shortcode to refuse; and
    bracketed words, escaped or quoted links, are text, not a link with a space."""
    _, diags = body(markdown)
    assert not diags.errors, [d.message for d in diags]


def test_superscript_and_subscript_keep_their_meaning_in_every_channel(tmp_path: Path) -> None:
    """`10<sup>6</sup> people` was published "106 people": the tag was removed, its text kept.
    Raised and lowered text are nodes of the body now, rendered once for every channel."""
    from syndicate.model import Subscript, Superscript

    (paragraph,), diags = body("About 10<sup>6</sup> tonnes of CO<sub>2</sub> a year.\n")
    assert not list(diags)
    assert isinstance(paragraph, Paragraph)
    assert Superscript((Text("6"),)) in paragraph.children
    assert Subscript((Text("2"),)) in paragraph.children
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    text = site / "articles" / SAMPLE_SLUG / "en.md"
    text.write_text(
        text.read_text(encoding="utf-8") + "\nAbout 10<sup>6</sup> tonnes of CO<sub>2</sub>.\n",
        encoding="utf-8",
    )
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(site / "out")]
    for fmt in ("newsml", "html", "atom", "rss", "jsonfeed", "ninjs", "epub"):
        args += ["-f", fmt]
    assert main(args) == 0
    out = site / "out"
    marked = "10<sup>6</sup> tonnes of CO<sub>2</sub>"
    for path in (
        f"newsml/{SAMPLE_SLUG}.en.xml",
        f"html/{SAMPLE_SLUG}.en.html",
        "atom/en.xml",
    ):
        assert marked in (out / path).read_text(encoding="utf-8"), path
    escaped = marked.replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in (out / "rss/en.xml").read_text(encoding="utf-8")
    assert marked in json.loads((out / "jsonfeed/en.json").read_bytes())["items"][0]["content_html"]
    import zipfile

    with zipfile.ZipFile(out / f"epub/{SAMPLE_SLUG}.en.epub") as book:
        chapters = [n for n in book.namelist() if n.endswith(".xhtml")]
        assert any(marked in book.read(n).decode("utf-8") for n in chapters), book.namelist()
    plain = [
        doc["value"]
        for doc in json.loads((out / f"ninjs/{SAMPLE_SLUG}.en.json").read_bytes())["bodies"]
        if doc["contentType"] == "text/plain"
    ]
    assert "About 10\u2076 tonnes of CO\u2082." in plain[0], "plain text keeps the meaning"


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("10<sup>6</sup> tonnes, 10<sup>-3</sup> m", "10\u2076 tonnes, 10\u207b\u00b3 m"),
        ("x<sup>2</sup> + y<sup>2</sup> = r<sup>2</sup>", "x\u00b2 + y\u00b2 = r\u00b2"),
        ("la 1<sup>re</sup> fois, H<sub>2</sub>O", "la 1\u02b3\u1d49 fois, H\u2082O"),
        ("Brand<sup>TM</sup> and x<sub>i,j</sub>", "Brand\u2122 and x_(i,j)"),
        ("Acme<sup>\u00ae</sup>, price<sup>*</sup>", "Acme\u00ae, price*"),
        ("Word<sup>ABC</sup>", "Word^(ABC)"),
    ],
)
def test_plain_text_raises_and_lowers_as_unicode_can(markdown: str, plain: str) -> None:
    """JSON-LD's articleBody, ninjs' plain body and partner descriptions read "106 tonnes"
    and "x2 + y2": raised and lowered text take Unicode's superscript and subscript forms,
    or a mark where Unicode has none."""
    from syndicate.model import inline_text

    (paragraph,), diags = body(markdown + "\n")
    assert not list(diags) and isinstance(paragraph, Paragraph)
    assert inline_text(paragraph.children) == plain


def test_markup_in_a_plain_text_field_is_a_warning_with_the_text_to_write(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A migrated "H<sub>2</sub>O" headline was published with its tags in every channel
    (page titles, feeds, NewsML-G2, the EPUB cover drawn with them), and nothing said so.
    "<5 %" and "a < b" are no markup."""
    variant = VARIANT.replace(
        "headline: A headline", "headline: H<sub>2</sub>O at 10<sup>6</sup> t"
    )
    variant = variant.replace("summary: A summary.", "summary: A <em>big</em> rise, <5 % a year")
    write_story(tmp_path, "2026-01-05-water", en=variant)
    _, diags = read(tmp_path, site_config)
    assert not diags.errors
    warned = [d for d in diags if d.code == "text.markup"]
    assert [(Path(str(d.path)).name, d.line) for d in warned] == [("en.md", 2), ("en.md", 3)]
    assert warned[0].message == (
        "headline holds HTML markup (<sub>), which every channel publishes as written, tags"
        " and all: it is plain text; write it without tags: 'H\u2082O at 10\u2076 t'"
    )
    assert warned[1].message.endswith("write it without tags: 'A big rise, <5 % a year'")


def test_a_line_break_in_a_one_line_field_is_a_warning(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`headline: "Port strike\\nenters day two"` (or a YAML `|` block) was published with
    its line break: a space on the page, a new line in the Atom title, NewsML-G2 and ninjs.
    A summary is a paragraph, and may be written over lines."""
    variant = VARIANT.replace("headline: A headline", 'headline: "Port strike\\nenters day two"')
    variant = variant.replace("summary: A summary.", "summary: |\n  A summary\n  over lines.")
    write_story(tmp_path, "2026-01-05-strike", en=variant)
    _, diags = read(tmp_path, site_config)
    assert not diags.errors
    warned = [d for d in diags if d.code == "text.line-break"]
    assert [(Path(str(d.path)).name, d.line) for d in warned] == [("en.md", 2)]
    assert warned[0].message.startswith("headline holds a line break, which a page shows as")
    assert warned[0].message.endswith("write it on one line (YAML's | keeps the line breaks of"
                                      " a text, > and a plain value join them)")  # fmt: skip


# Raw HTML ---------------------------------------------------------------------------------------


def texts(blocks: tuple[object, ...]) -> list[str]:
    """The text of each paragraph and heading, as plain-text channels publish them."""
    return [
        inline_text(block.children).strip()
        for block in walk(blocks)  # type: ignore[arg-type]
        if isinstance(block, Paragraph | Heading)
    ]


@pytest.mark.parametrize(
    ("markdown", "published"),
    [
        (
            "<table><tr><th>Year</th><th>Tonnes</th></tr><tr><td>2020</td><td>1000</td></tr>"
            "<tr><td>2025</td><td>500</td></tr></table>\n",
            ["Year Tonnes", "2020 1000", "2025 500"],
        ),
        (
            "<table>\n<caption>Output</caption>\n<tr>\n  <td>2020</td>\n  <td>1 000</td>\n</tr>\n"
            "<tr><td><p>A</p><p>B</p></td><td>C</td></tr>\n</table>\n",
            ["Output", "2020 1 000", "A", "B", "C"],
        ),
        ("<dl><dt>Term</dt><dd>Definition</dd></dl>\n", ["Term", "Definition"]),
        ("<div>First div</div><div>Second div</div>\n", ["First div", "Second div"]),
        ("<details><summary>More</summary>Hidden</details>\n", ["More", "Hidden"]),
        ("<center>Centred</center><span>Spanned</span>\n", ["Centred", "Spanned"]),
        ("Intro <span>a</span><span>b</span> <div>x</div><div>y</div>\n", ["Intro ab", "x", "y"]),
        ("## A<div>b</div><div>c</div>d\n", ["A b c d"]),
        ("## A <section>b</section> c\n", ["A b c"]),
        ("Say <b><div>x</div><div>y</div></b>.\n", ["Say x y."]),
    ],
)
def test_removed_block_elements_keep_their_text_apart(markdown: str, published: list[str]) -> None:
    """A table of numbers was published as one long number ("YearTonnes202010002025500"): the
    sanitiser removed the tags and the boundaries with them. Blocks stay blocks, cells of a
    row stay apart by a space."""
    blocks, _ = body(markdown)
    assert texts(blocks) == published


def test_a_raw_table_is_said_like_a_markdown_one() -> None:
    _, diags = body("Text.\n\n<table><tr><td>2020</td><td>1000</td></tr></table>\n")
    assert [(d.code, d.line) for d in diags] == [("body.table", 10)]
    (warning,) = diags
    assert "a paragraph per row" in warning.message and "as a list" in warning.message


def test_a_raw_table_reaches_every_channel_with_its_numbers_apart(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    text = site / "articles" / SAMPLE_SLUG / "en.md"
    table = "<table><tr><td>2020</td><td>1000</td></tr><tr><td>2025</td><td>500</td></tr></table>"
    text.write_text(text.read_text(encoding="utf-8") + f"\n{table}\n", encoding="utf-8")
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(site / "out")]
    assert main([*args, "-f", "jsonld", "-f", "ninjs", "-f", "html"]) == 0
    out = site / "out"
    graph = json.loads((out / "jsonld" / f"{SAMPLE_SLUG}.en.jsonld").read_bytes())
    article = next(n for n in graph["@graph"] if n["@type"] == "NewsArticle")
    assert "2020 1000\n\n2025 500" in article["articleBody"]
    page = (out / "html" / f"{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    assert "<p>2020 1000</p>" in page and "<p>2025 500</p>" in page
    ninjs = next((out / "ninjs").glob(f"{SAMPLE_SLUG}*en*.json")).read_text(encoding="utf-8")
    assert "2020 1000" in ninjs and "20201000" not in ninjs


@pytest.mark.parametrize(
    ("markdown", "said"),
    [
        ('A <i lang="de">Zeitgeist</i>.\n', "lang 'de' attribute (screen readers will speak"),
        ('<p lang="de" dir="ltr">Hallo</p>\n', "lang 'de' attribute"),
        ('<h2 lang="fr">Bonjour</h2>\n', "lang 'fr' attribute"),
        ('<blockquote lang="fr"><p>Oui</p></blockquote>\n', "lang 'fr' attribute"),
        ("<ol reversed><li>a</li><li>b</li></ol>\n", "reversed attribute of a list (it is"),
        ('<ol type="a"><li>a</li></ol>\n', "type 'a' of a list (it is numbered 1, 2, 3)"),
        ('<ol><li value="5">a</li></ol>\n', "value '5' of a list item"),
        ('<abbr title="North Atlantic Treaty">NATO</abbr> met.\n', "title attribute (its text"),
    ],
)
def test_every_attribute_removed_is_said_with_what_is_lost(markdown: str, said: str) -> None:
    _, diags = body(markdown)
    warnings = [d.message for d in diags if d.code == "html.removed"]
    assert any(f"raw HTML: removed {said}" in w for w in warnings), warnings
    assert {d.line for d in diags} == {8}


def test_attributes_the_body_keeps_or_that_go_with_their_element_are_not_said() -> None:
    _, diags = body(
        '<a href="https://e.example/" title="A title">link</a>, <ol start="3"><li>c</li></ol>\n'
        '\n<img src="https://e.example/x.png" alt="A chart" width="5"><svg viewBox="0 0 1 1">'
        "</svg>\n"
    )
    assert [d.message for d in diags] == [
        "raw HTML: removed <img> element (list images in story.yaml and place them with ![](file))",
        "raw HTML: removed <svg> element and its content",
    ]


@pytest.mark.parametrize(
    ("markdown", "code"),
    [
        ("| Year | Tonnes |\n|---|---|\n| 2020 | 10<sup>6</sup> |\n", "body.table"),
        ("A claim<sup>1</sup>[^1] in <b>bold</b>.\n", "body.footnote"),
    ],
)
def test_a_table_or_footnote_beside_raw_html_is_still_said(markdown: str, code: str) -> None:
    _, diags = body(markdown)
    assert [(d.code, d.line) for d in diags] == [(code, 8)]


def test_attributes_a_reader_does_not_miss_are_removed_in_silence() -> None:
    """A migrated WordPress block, `<p class="wp-block-paragraph">` with a link `target` and
    `rel`, on nearly every paragraph: a warning for each buried the ones that matter."""
    _, diags = body(
        '<p class="wp-block-paragraph" id="p1" dir="rtl" data-x="1">Read <a'
        ' href="https://e.example/" target="_blank" rel="noopener">this</a>.</p>\n'
    )
    assert not list(diags), [d.message for d in diags]


@pytest.mark.parametrize(
    "text",
    ["Rust's Option<T> lands", "Java List<String> bug", "vector<int> and map<K, V>",
     "if a<b and c>d then", "x <y> z", "<3 and <5 %", "mail <name@example.org>"],
)  # fmt: skip
def test_text_shaped_like_a_tag_is_no_markup(text: str) -> None:
    """Any `<word>` was taken for HTML, and the text offered instead lost words
    ("Rust's Option lands", "if ad then"): only HTML's own elements are."""
    from syndicate.readers.textfile import markup_warning

    assert markup_warning(text, "headline") is None


@pytest.mark.parametrize(
    ("opener", "said", "lost"),
    [
        ("<!-- editor note: check the figures", "an HTML comment (<!--) that is never closed"
         " (no --> after it)", "none of them would be published; close it with --> where"),
        ("<script>", "a <script> element that is never closed (no </script> after it)",
         "close it with </script> where it ends"),
        ("<STYLE>", "a <STYLE> element that is never closed", "none of them"),
        ("<textarea>", "a <textarea> element that is never closed", "none of them"),
        ("<pre>", "a <pre> element that is never closed", "they would be published as text,"
         " Markdown marks and all"),
        ("<![CDATA[ x", "a CDATA section (<![CDATA[) that is never closed (no ]]> after it)",
         "none of them"),
        ("<?php echo $x;", "a processing instruction (<?) that is never closed (no ?> after it)",
         "none of them"),
        ("<!DOCTYPE x", "a declaration (<!DOCTYPE) that is never closed (no > after it)",
         "close it with > on its line"),
    ],
)  # fmt: skip
def test_html_left_open_is_an_error_not_the_rest_of_the_story_lost(
    opener: str, said: str, lost: str
) -> None:
    """CommonMark ends these HTML blocks at their end marker alone: left open, one ran to the
    end of the story, and every channel stopped there, validate OK (with a warning of a
    comment removed at most). An error at its line: the story is not published cut short."""
    text = f"First paragraph.\n\n{opener}\n\n## Expand the scope\n\nTraining will start.\n"
    _, diags = body(text)
    assert [(d.severity, d.code, d.line) for d in diags] == [("error", "body.unclosed-html", 10)]
    message = diags.errors[0].message
    assert message.startswith(said), message
    assert "Markdown reads the 4 lines after it, up to the end of the story, as raw HTML" in message
    assert lost in message
    assert message.endswith("or remove it (a < that is only text is written &lt; or \\<)")


def test_html_left_open_in_a_quote_or_ended_by_a_stray_mark_is_said_too() -> None:
    # In a quote, it runs to the quote's end.
    _, diags = body("> <!-- note\n> Quoted words.\n\nAfter.\n")
    assert [(d.code, d.line) for d in diags] == [("body.unclosed-html", 8)]
    assert "the 1 line after it, up to the end of its quote or list item" in diags.errors[0].message
    assert "and it would not be published" in diags.errors[0].message
    # A declaration ends at any `>`: a quote's mark ten lines down.
    _, diags = body("<!DOCTYPE x\n\nOne.\n\nTwo.\n\n> A quote.\n\nAfter.\n")
    assert [(d.code, d.line) for d in diags] == [("body.unclosed-html", 8)]
    assert diags.errors[0].message.startswith(
        "a declaration (<!DOCTYPE) with no > on its line: Markdown reads the 6 lines after it,"
        " up to the first > after it (line 14), as raw HTML"
    )


@pytest.mark.parametrize(
    "markdown",
    [
        "Text.\n\n<!-- a note -->\n\nMore.\n",
        "<!--\nOld paragraph.\n\nAnother.\n-->\n\nMore.\n",  # commented out, closed
        "<script>\nx()\n</script>\n\nMore.\n",
        "Text.\n\n<!-- a last note, left open\n",  # nothing after it to take
    ],
)
def test_closed_html_or_open_html_at_the_end_is_removed_with_a_warning(markdown: str) -> None:
    blocks, diags = body(markdown)
    assert not diags.errors and {d.code for d in diags.warnings} == {"html.removed"}
    assert "More." in str(blocks) or markdown.startswith("Text.\n\n<!-- a last")


@pytest.mark.parametrize(
    ("markdown", "said"),
    [
        ("<?php echo 1; ?>\n", "a processing instruction (<?...?>, such as PHP code) and all"),
        ("A <?php echo 1; ?> B\n", "a processing instruction (<?...?>, such as PHP code)"),
        ("<!DOCTYPE html>\n", "a <!DOCTYPE> declaration (which starts a whole HTML page"),
        ("A <!DOCTYPE html> B\n", "a <!DOCTYPE> declaration"),
        ("<![CDATA[ 4,000 troops ]]>\n", "a CDATA section (<![CDATA[...]]>) and its text (HTML"
         " reads it as a comment); write its text without it"),
        ("<!ELEMENT x ANY>\n", "a <!ELEMENT> declaration (of a DTD"),
        ("<!-- note -->\n", "an HTML comment"),
    ],
)  # fmt: skip
def test_what_html_reads_as_a_comment_is_said_as_what_it_is(markdown: str, said: str) -> None:
    """`<?php ?>` was "an HTML comment", `<!DOCTYPE html>` "malformed HTML (only its text is
    kept)", of which nothing is, and `<!DOCTYPE>` in a paragraph went unsaid."""
    _, diags = body(markdown)
    assert [d.code for d in diags] == ["html.removed"]
    assert diags.warnings[0].message.startswith(f"raw HTML: removed {said}")


@pytest.mark.parametrize(
    ("markdown", "tag", "fix"),
    [
        ("The alliance <NATO> said so.\n", "<NATO>", "\\<NATO> or &lt;NATO&gt;"),
        ("## The <EU> view\n", "<EU>", "\\<EU> or &lt;EU&gt;"),
        ("<Reuters>\n\nNext.\n", "<Reuters>", "\\<Reuters> or &lt;Reuters&gt;"),
        ("Said </sic> so.\n", "</sic>", "\\</sic> or &lt;/sic&gt;"),
    ],
)
def test_a_word_in_angle_brackets_is_an_error_not_a_tag_whose_text_is_kept(
    markdown: str, tag: str, fix: str
) -> None:
    """`The alliance <NATO> said`: read as a tag and removed, "The alliance  said" was
    published while the warning said "removed <nato> tag (its text is kept)"."""
    blocks, diags = body(markdown)
    word = tag.strip("</>")
    assert [(d.severity, d.code, d.line) for d in diags] == [("error", "body.unknown-tag", 8)]
    assert diags.errors[0].message == (
        f"raw HTML: {tag} is no HTML element: a word in angle brackets is read as a tag and"
        f" removed, so {word!r} would not be published; write it {fix}"
    )
    assert not any("its text is kept" in d.message for d in diags)
    # Written as the fix says, the word is published, and nothing said.
    blocks, diags = body(markdown.replace(tag, "\\" + tag))
    assert tag in str(blocks) and not list(diags)


def test_a_word_in_angle_brackets_that_names_an_element_is_said_lost_if_a_word() -> None:
    """`<Time>` and `<Image>` name elements HTML has (or had): removed with the word, they
    were warned "its text is kept" only. The fragment cannot tell them from an element closed
    in a later HTML block (`<figure>`, Markdown, `</figure>`), so it stays a warning, which
    says both (the second review found the error refused such HTML); `<Jane Doe>` is told
    with both its words (the first review)."""
    _, diags = body("The magazine <Time> named him.\n")
    assert [(d.severity, d.code) for d in diags] == [("warning", "html.removed")]
    assert diags.warnings[0].message == (
        "raw HTML: removed <time> tag (its text is kept; if <Time> was meant as a word, it is"
        " lost: write \\<Time>)"
    )
    _, diags = body("<figure>\n\nA caption.\n\n</figure>\n")
    assert not diags.errors, [d.message for d in diags]
    _, diags = body("A letter from <Jane Doe> came.\n")
    assert [(d.severity, d.code) for d in diags] == [("error", "body.unknown-tag")]
    assert "so 'Jane Doe' would not be published" in diags.errors[0].message


def test_html_s_own_elements_word_s_and_custom_ones_lose_only_their_tags() -> None:
    _, diags = body(
        "A <span>b</span> <font>c</font> <my-widget>d</my-widget>, <svg><rect/></svg>.\n\n"
        '<p class="MsoNormal">Word<o:p></o:p></p>\n'
    )
    assert not diags.errors, [d.message for d in diags]


def test_text_split_by_a_block_keeps_no_spaces_at_its_edges() -> None:
    """`Para with <div>inner</div> text.`: the split paragraphs kept "Para with " and
    " text." in plain text and counts."""
    blocks, _ = body("Para with <div>inner</div> text.\n")
    assert [b.children for b in blocks] == [  # type: ignore[attr-defined]
        (Text("Para with"),),
        (Text("inner"),),
        (Text("text."),),
    ]


@pytest.mark.parametrize("note", ["Reuters", "https://source.example/report"])
def test_a_footnote_s_note_is_said_at_its_line_and_published_as_written(note: str) -> None:
    """`[^1]: Reuters` is a link reference to CommonMark: the marker became an error of a link
    to 'Reuters' the user never wrote (at the marker's line), or, with a URL, a link "^1"
    while the warning said the marker was published as written, and the note vanished."""
    blocks, diags = body(f"A claim[^1].\n\n[^1]: {note}\n")
    assert [(d.severity, d.code, d.line) for d in diags] == [
        ("warning", "body.footnote", 8),
        ("warning", "body.footnote", 10),
    ]
    assert diags.warnings[1].message.startswith("a footnote ([^1]): stories take no footnotes")
    texts = [inline_text(b.children) for b in blocks if isinstance(b, Paragraph)]
    assert texts == ["A claim[^1].", f"[^1]: {note}"], "published as written, note and all"
    # In a quote too.
    blocks, diags = body(f"A claim[^1].\n\n> [^1]: {note}\n")
    assert [(d.code, d.line) for d in diags] == [("body.footnote", 8), ("body.footnote", 10)]
    # In a code block it is code (which stories do not take), no footnote.
    blocks, diags = body(f"```\n[^1]: {note}\n```\n")
    assert [d.code for d in diags] == ["body.unsupported"]


@pytest.mark.parametrize("item", ["- ", "1. ", "* > ", "- item\n\n  - "])
def test_a_footnote_s_note_in_a_list_item_is_said_and_published_as_written(item: str) -> None:
    """`- [^1]: Reuters`: the note in a list item stayed a link reference to CommonMark (only
    a note at the start of a line or in a quote was read as text): the item was published
    empty, the marker lost its brackets, and an error named a link 'Reuters' never written."""
    blocks, diags = body(f"A claim[^1].\n\n{item}[^1]: Reuters\n")
    line = 10 + item.count("\n")
    assert [(d.severity, d.code, d.line) for d in diags] == [
        ("warning", "body.footnote", 8),
        ("warning", "body.footnote", line),
    ]
    texts = [inline_text(b.children) for b in walk(blocks) if isinstance(b, Paragraph)]
    assert texts[0] == "A claim[^1]." and texts[-1] == "[^1]: Reuters"


@pytest.mark.parametrize("quote", ["", "> "])
def test_a_link_definition_after_a_footnote_s_note_stays_a_definition(quote: str) -> None:
    """`[^1]: Reuters` then `[ref]: https://...` on the next line: both are definitions to
    CommonMark, but the note read as text became a paragraph that took the definition in,
    published it as text and left `[the statement][ref]` unresolved."""
    text = (
        f"A claim[^1].\n\n{quote}[^1]: Reuters\n{quote}[ref]: https://example.com/\n\n"
        "Read [the statement][ref] today.\n\nThe end.\n"
    )
    blocks, diags = body(text)
    paragraphs = [b for b in walk(blocks) if isinstance(b, Paragraph)]
    texts = [inline_text(b.children) for b in paragraphs]
    assert texts == ["A claim[^1].", "[^1]: Reuters", "Read the statement today.", "The end."]
    link = paragraphs[2].children[1]
    assert isinstance(link, Link) and link.href == "https://example.com/"
    assert [p.source.line for p in paragraphs] == [8, 10, 13, 15], "the file's own lines"
    assert [(d.code, d.line) for d in diags] == [("body.footnote", 8), ("body.footnote", 10)]


def test_a_long_address_is_quoted_by_its_start_and_its_end() -> None:
    """An address over 60 characters in a message was cut at its 57th or 60th (with `...`
    or, in the spaced link's and the fix's, with nothing to say so): two definitions of one
    folder's files were said alike, and the file a message named was cut off. Quoted as
    every long value is (`diagnostics.shortened`): its start and its end."""
    folder = "https://www.harbour-news.example/documents/2026/board-minutes"
    _, diags = body(
        f"Text.\n\n[en]: {folder}/annual-report-en.pdf\n[fr]: {folder}/annual-report-fr.pdf\n"
    )
    said = [d.message for d in diags.warnings]
    assert len(said) == 2, said
    assert "report-en.pdf)" in said[0] and "report-fr.pdf)" in said[1], said
    assert all("..." in message for message in said), said
    _, diags = body(f"See [the minutes]({folder}/annual report-en.pdf).\n")
    (error,) = diags.errors
    assert "report-en.pdf'" in error.message and "..." in error.message, error.message
    assert "annual%20report-en.pdf'" in error.message, error.message


def test_a_link_definition_no_text_refers_to_is_said_at_its_line() -> None:
    """`[1]: https://...` (a list of sources at the end) is a link definition to CommonMark:
    no link used it, and it went from every channel with no word."""
    url = "https://www.nato.int/cps/en/natohq/opinions_181564.htm"
    blocks, diags = body(f"Text.\n\nSources:\n\n[1]: {url}\n\nEnd.\n")
    assert [(d.severity, d.code, d.line) for d in diags] == [
        ("warning", "body.link-definition", 12)
    ]
    assert diags.warnings[0].message == (
        f"a link definition ([1]: {url}) that no text refers to: Markdown publishes it"
        " nowhere (it only gives the address of links written [words][1]); to publish it,"
        f" write it as a list item with its link, - [words]({url}), or refer to it from the"
        " text with [words][1]"
    )
    assert [inline_text(b.children) for b in blocks] == ["Text.", "Sources:", "End."]  # type: ignore[attr-defined]
    # Those a link or an image refers to, in any case of their label, are said nothing of;
    # one in a quote, or after a footnote's note (the lines the file has), is.
    _, diags = body(
        "See [the report][r], [Nato] and [it][Nato].\n\n[R]: https://e.example/r\n"
        '[nato]: https://nato.int\n[unused]: <https://e.example/u> "Title"\n'
    )
    assert [(d.code, d.line) for d in diags] == [("body.link-definition", 12)]
    assert diags.warnings[0].message.startswith("a link definition ([unused]: https://e.example/u)")
    _, diags = body("A claim[^1].\n\n[^1]: Reuters\n[ref]: https://e.example/\n\nMore.\n")
    assert ("body.link-definition", 11) in [(d.code, d.line) for d in diags]
    _, diags = body("Quoted.\n\n> [q]: https://q.example/\n")
    assert ("body.link-definition", 10) in [(d.code, d.line) for d in diags]


def test_a_second_definition_of_a_label_is_said_at_its_line() -> None:
    """`[1]: https://a` then later `[1]: https://c`: CommonMark keeps the first, so the links
    went to the first address and the second was published nowhere, with no word (a list of
    sources numbered twice). Said at the second's line, naming the first's; the same label in
    another case is the same label, and in a quote the file's own lines count."""
    text = (
        "See [the report][1] and [the other][2].\n\n[1]: https://e.example/a\n"
        "[2]: https://e.example/b\n[1]: https://e.example/c\n"
    )
    blocks, diags = body(text)
    assert [(d.severity, d.code, d.line) for d in diags] == [
        ("warning", "body.link-definition", 12)
    ]
    assert diags.warnings[0].message == (
        "another link definition of the label [1] ([1]: https://e.example/c): Markdown keeps"
        " the first, at line 10 (https://e.example/a), so every [words][1] links there and"
        " this address is published nowhere; give this one a label of its own and refer to"
        " it, or remove it"
    )
    links = [c for b in walk(blocks) if isinstance(b, Paragraph) for c in b.children]
    assert [c.href for c in links if isinstance(c, Link)] == [
        "https://e.example/a",
        "https://e.example/b",
    ]
    _, diags = body(
        "[It][Nato].\n\n> Quoted.\n>\n> [NATO]: https://nato.int\n> [nato]: https://x.example\n"
    )
    assert [(d.code, d.line) for d in diags] == [("body.link-definition", 13)]
    assert "label [nato] ([nato]: https://x.example)" in diags.warnings[0].message


@pytest.mark.parametrize(
    ("markdown", "fix"),
    [
        ("```\nquoted text\n```\n", "remove the ``` fences around it"),
        ("~~~\nquoted text\n~~~\n", "remove the ~~~ fences around it"),
        ("~~~~ python\nx = 1\n~~~~\n", "remove the ~~~~ fences around it"),
        ("    quoted text\n", "indent its text by less than 4 spaces"),
        ("~~~\nnever closed\n\nMore.\n", "remove the ~~~ fence before it"),
    ],
)
def test_a_code_block_is_refused_with_the_fence_it_has(markdown: str, fix: str) -> None:
    """A `~~~` block was told to "remove the ``` fence", which is not in the file."""
    _, diags = body(f"Text.\n\n{markdown}")
    assert [(d.code, d.line) for d in diags] == [("body.unsupported", 10)]
    assert diags.errors[0].message == f"code blocks are not supported in stories; {fix}"


def test_raw_html_nested_thousands_deep_is_refused_before_it_is_sanitised() -> None:
    """300,000 nested <div>s (1.5 MB) took the sanitiser eight minutes, in native code that
    Ctrl-C could not stop: a depth counted from the tags refuses them first."""
    from syndicate.readers.rawhtml import html_depth

    deep = "<div>" * 100_000 + "x" + "</div>" * 100_000
    _, diags = body(deep + "\n")
    assert [(d.code, d.line) for d in diags] == [("body.nesting", 8)]
    assert diags.errors[0].message.startswith("raw HTML elements nested 100000 deep")
    # Elements HTML closes by itself, void ones and self-closed ones are no nesting.
    assert html_depth("<ul><li>a<li>b</ul><p>c<p>d<br><img src=x><hr/>") == 1
    assert html_depth("<blockquote><div><em>x</em></div></blockquote>") == 3
    # A `/` closes nothing on an element that is not void: `<div/>` opens a div.
    _, diags = body("<div/>" * 30_000 + "x\n")
    assert [d.code for d in diags.errors] == ["body.nesting"]
    # In SVG and MathML it does: a chart of a thousand shapes is no nesting (it was refused
    # as 1,002 deep; it is removed with a warning, as every <svg> is).
    chart = "<svg viewBox='0 0 9 9'>" + "<rect x='1' y=\"2\"/>" * 1_001 + "</svg>"
    assert html_depth(chart) == 1
    assert html_depth("<div><math><mi>x</mi><mspace/></math><svg><g/><g/></svg></div>") == 3
    assert html_depth("<svg><g></svg><div/><div/><div/>") == 3, "past </svg>, a div/ opens"
    _, diags = body(f"<p>{chart}</p>\n")
    assert not diags.errors and {d.code for d in diags.warnings} == {"html.removed"}
    # Attributes with a / in them close nothing; a tag is read up to its >.
    assert html_depth('<a href="https://x.example/">a</a><div title="a/b">') == 1
    # A `<` or a `/>` in a quoted value hides no tag (the guard missed 95,000 of them).
    assert html_depth('<div title="<">' * 300) == 300
    assert html_depth("<div title='a/>b' onclick=\"if(a<b)x()\">" * 3) == 3


def test_a_paragraph_of_many_lines_is_joined_once() -> None:
    """A paragraph of a million one-letter lines (2 MB, within a file's budget) took 136 s to
    read: each line's text was added to the text before it, copying it again at each line.
    The texts of a run are joined once: none is added to another."""
    from syndicate.model import Text
    from syndicate.readers.markdown import _merge_text

    added = []

    class Counted(str):
        def __add__(self, other: str) -> str:
            added.append(1)
            return str(self) + other

        def __radd__(self, other: str) -> str:
            added.append(1)
            return other + str(self)

    nodes = [Text(Counted("x\n")) for _ in range(1000)]
    (merged,) = _merge_text(nodes)
    assert isinstance(merged, Text) and merged.text == "x\n" * 1000
    assert not added, f"{len(added)} texts added one to another"


@pytest.mark.parametrize(
    ("written", "href"),
    [
        ('<a href="https://пример.рф/путь">x</a>', "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C"),
        ('<a href="https://example.com/a b">x</a>', "https://example.com/a%20b"),
        ('<a href="HTTPS://example.com/up">x</a>', "https://example.com/up"),
        ('<a href=" https://example.com/sp ">x</a>', "https://example.com/sp"),
        ("[x](HTTPS://example.com/up)", "https://example.com/up"),
        ("[x](<https://example.com/a b>)", "https://example.com/a%20b"),
    ],
)  # fmt: skip
def test_a_link_is_one_uri_however_it_is_written(written: str, href: str) -> None:
    """A raw `<a href>` went out as written (a space in a book's link, which EPUBCheck
    refuses; a Russian host not in IDNA form) while the same Markdown link was normalised;
    `HTTPS://` in raw HTML was "removed relative URL" and the link dropped, in Markdown an
    error saying it must be an absolute http(s) URL, which it is."""
    from syndicate.render.xhtml import link_uri

    blocks, diags = body(f"See {written} now.\n")
    (paragraph,) = blocks
    (link,) = [n for n in paragraph.children if isinstance(n, Link)]  # type: ignore[attr-defined]
    assert link_uri(link.href) == href  # as every format writes it (the renderer's)
    assert not diags.errors and not [d for d in diags if "relative URL" in d.message]


def test_every_refused_link_of_a_line_is_said() -> None:
    """Only the first of `[d](data:...) and [v](vbscript:x)` on one line was an error."""
    _, diags = body("[d](data:text/html,hi) and [v](vbscript:x) and [f](file:///etc/passwd)\n")
    said = [d.message.split("'")[1] for d in diags.errors]
    assert said == ["data:text/html,hi", "vbscript:x", "file:///etc/passwd"]


@pytest.mark.parametrize(
    "markdown",
    [
        "Raw H<sub>2</sub>O and\nice, a line  \nbroken.\n",
        "- Raw H<sub>2</sub>O and\n  ice, a line  \n  broken.\n",
        "> Raw H<sub>2</sub>O and\n> ice, a line\\\n> broken.\n",
        "Raw H<sub>2</sub>O and\nice, a line<br>\nbroken.\n",
    ],
    ids=["paragraph", "list-item", "quote", "raw-br"],
)
def test_raw_html_changes_nothing_of_a_paragraph_s_line_breaks(markdown: str) -> None:
    """A paragraph holding raw HTML (even the documented `<sub>`) kept its source lines as
    "\\n" in its text and a hard break's new line after the `<br>`: plain text (ninjs,
    JSON-LD) broke it at every line, its hard break a blank line, a list item's next lines
    without their indent. It reads as the same paragraph without raw HTML does."""
    blocks, diags = body(markdown)
    (paragraph,) = walk_paragraphs(blocks)
    assert paragraph.children == (
        Text("Raw H"),
        Subscript((Text("2"),)),
        Text("O and ice, a line"),
        LineBreak(),
        Text("broken."),
    )
    assert not list(diags), [d.message for d in diags]


def walk_paragraphs(blocks: tuple[object, ...]) -> list[Paragraph]:
    return [b for b in walk(blocks) if isinstance(b, Paragraph)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("markdown", "read"),
    [
        ("将把驻伊拉克的\n军事人员增加。\n", "将把驻伊拉克的军事人员增加。"),
        ("北约表示，\n北约将增兵。\n", "北约表示，北约将增兵。"),  # after CJK punctuation
        ("日本語の\n*文章*です。\n", "日本語の文章です。"),  # past the emphasis' mark
        ("カタカナ\nｶﾀｶﾅと\nＡＢＣ\n", "カタカナｶﾀｶﾅとＡＢＣ"),  # half- and full-width forms
        ("H<sub>2</sub>的\n军事\n", "H₂的军事"),  # with raw HTML too
        ("한국어\n문장입니다.\n", "한국어 문장입니다."),  # Korean spaces its words
        ("北约\nNATO 与\n欧盟\n", "北约 NATO 与欧盟"),  # a Latin letter on one side
        ("Great 🎉\n🎉 news\n", "Great 🎉 🎉 news"),  # emoji are wide, and spaced
        ("soft\nbreak\n", "soft break"),
        ("增加至\n**约4000人**。\n", "增加至约4000人。"),  # past strong's marks (review)
        ("行动是\n“应伊拉克请求”\n他说——\n北约\n", "行动是“应伊拉克请求”他说——北约"),
        ("He said “yes”\n“no” too.\n", "He said “yes” “no” too."),  # quotes, not CJK
    ],
    ids=[
        "han", "punctuation", "emphasis", "widths", "raw-html", "hangul", "latin", "emoji",
        "en", "strong", "ambiguous-marks", "ambiguous-latin",
    ],
)  # fmt: skip
def test_a_line_end_between_chinese_or_japanese_characters_adds_no_space(
    markdown: str, read: str
) -> None:
    """Chinese and Japanese are written without spaces; an editor that wraps a long line put
    one in the middle of the sentence in every channel ("驻伊拉克的 军事人员"). A soft break
    between two East Asian wide characters (CSS Text 3, pandoc's east_asian_line_breaks) is
    nothing; beside any other character, Hangul included, it is a space."""
    (paragraph,), diags = body(markdown)
    assert isinstance(paragraph, Paragraph)
    assert inline_text(paragraph.children) == read
    assert not list(diags), [d.message for d in diags]


@pytest.mark.parametrize(
    ("markdown", "address"),
    [
        ("Read [the report](https://example.com/annual report.pdf) today.\n", "annual report"),
        ("Write to [the desk](mailto:desk@example.com?subject=Story tip).\n", "Story tip"),
        ("See [the [1] list](https://e.example/A (b) c).\n", "A (b) c"),
        ("## Read [it](https://e.example/a b)\n", "a b"),  # in a heading
        ("H<sub>2</sub>O: [it](https://e.example/a b)\n", "a b"),  # beside raw HTML
        ("- [it](https://e.example/a b)\n", "a b"),  # in a list item
        ("At its line:\n[it](https://e.example/a b)\n", "a b"),
        # words over two lines, or with emphasis or code (review): published as text too
        ("[the annual\nreport](https://e.example/annual report.pdf)\n", "annual report"),
        ("[the **annual** report](https://e.example/annual report.pdf)\n", "annual report"),
        ("[the `annual` report](https://e.example/annual report.pdf)\n", "annual report"),
        ("[a path](/files/annual report.pdf)\n", "annual report"),
    ],
)
def test_a_link_whose_address_has_a_space_is_refused_not_published_as_markdown(
    markdown: str, address: str
) -> None:
    """A space in a link's address makes it no link to CommonMark: `[the report](https://...
    annual report.pdf)` was published as that text in every channel, with no word."""
    _, diags = body(markdown)
    (said,) = [d for d in diags.errors if d.code == "body.link"]
    line = 8 + markdown.count("\n", 0, markdown.find("["))  # the line the link starts at
    assert said.line == line and address in said.message
    assert "%20" in said.message and "angle brackets" in said.message


def test_a_spaced_link_s_title_is_not_encoded_into_the_fix() -> None:
    _, diags = body('[it](https://e.example/a b "The report")\n')
    (said,) = [d for d in diags.errors if d.code == "body.link"]
    assert "'https://e.example/a%20b \"The report\"'" in said.message, said.message


@pytest.mark.parametrize(
    "markdown",
    [
        "First.\n\n- ![x](images/not-listed.png)\n- two\n\nLast.\n",
        "First.\n\n> ![x](images/not-listed.png)\n\nLast.\n",
    ],
)
def test_a_block_whose_content_was_refused_is_not_also_said_empty(markdown: str) -> None:
    """An item or a quote holding only an image not listed is an error of that image; it
    was told "a list item with nothing in it" besides, at its list's line (review)."""
    diags = Diagnostics()
    parse_body(markdown, WHERE, lambda src: None, diags)
    assert [d.code for d in diags.errors] == ["body.image"]
    assert not [d for d in diags if d.code == "body.empty"], [d.message for d in diags]


def test_a_heading_emptied_by_raw_html_is_said_left_out() -> None:
    """`## <span class="k"></span>`: the heading went with no word but the span's removal."""
    blocks, diags = body('First.\n\n## <span class="k"></span>\n\nLast.\n')
    assert len(blocks) == 2
    assert ("body.empty", 10) in {(d.code, d.line) for d in diags.warnings}


@pytest.mark.parametrize(
    ("markdown", "line", "said"),
    [
        ("First.\n\n##\n\nLast.\n", 10, "a heading with no words"),
        ("First.\n\n## &nbsp;\n\nLast.\n", 10, "a heading with no words"),
        ("First.\n\n## <br>\n\nLast.\n", 10, "a heading with no words"),
        ("First.\n\n<h3> </h3>\n\nLast.\n", 10, "a heading with no words"),
        ("First.\n\n>\n\nLast.\n", 10, "a quote with nothing in it"),
        ("First.\n\n<blockquote></blockquote>\n\nLast.\n", 10, "a quote with nothing in it"),
        ("First.\n\n<br>\n\nLast.\n", 10, "a paragraph of nothing but white space"),
        ("First.\n\n<p><br/></p>\n\nLast.\n", 10, "a paragraph of nothing but white space"),
        ("First.\n\n&nbsp;\n\nLast.\n", 10, "a paragraph of nothing but white space"),
        ("First.\n\n**&nbsp;**  \n\nLast.\n", 10, "a paragraph of nothing but white space"),
        ("First.\n\n- \n\nLast.\n", 10, 'a list item with nothing in it (a bare "-")'),
        ("First.\n\n1.\n\nLast.\n", 10, 'a list item with nothing in it (a bare "1.")'),
        ("First.\n\n> ##\n\nLast.\n", 10, "a heading with no words"),  # said once
        ("First.\n\n- <br>\n\nLast.\n", 10, "a paragraph of nothing but white"),
    ],
)
def test_a_block_with_no_text_is_left_out_with_a_warning(
    markdown: str, line: int, said: str
) -> None:
    """`##`, `>`, `- ` and a paragraph of a `<br>` were published as `<h2/>`,
    `<blockquote/>`, `<li/>` and `<p><br/></p>` in every channel, a bare "-" and runs of
    blank lines in plain text, with no word. They are left out, each said at its line."""
    blocks, diags = body(markdown)
    assert blocks == (
        Paragraph((Text("First."),), WHERE),
        Paragraph((Text("Last."),), WHERE.at(8 + markdown.count("\n") - 1)),
    )
    assert not diags.errors
    assert {(d.code, d.line) for d in diags.warnings} == {("body.empty", line)}
    assert all(said in d.message and "delete it" in d.message for d in diags.warnings)


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_a_heading_of_invisible_characters_is_left_out_with_a_warning(invisible: str) -> None:
    """`## ` and a soft hyphen or a zero-width character alone passed as a heading with
    words: an invisible entry in the EPUB's table of contents and an empty `<h2>` on the
    page. It is a heading with no words, as story.yaml's texts of such characters are none."""
    blocks, diags = body(f"First.\n\n## {invisible}\n\nLast.\n")
    assert len(blocks) == 2
    assert [(d.code, d.line) for d in diags] == [("body.empty", 10)]
    assert "a heading with no words" in diags.warnings[0].message


def test_an_empty_list_item_is_left_out_of_its_list() -> None:
    blocks, diags = body("1. one\n2.\n3. three\n\n<ul><li></li><li>raw</li></ul>\n")
    ordered, raw = blocks
    assert isinstance(ordered, ListBlock) and isinstance(raw, ListBlock)
    assert [inline_text(item[0].children) for item in ordered.items] == ["one", "three"]  # type: ignore[attr-defined]
    assert [inline_text(item[0].children) for item in raw.items] == ["raw"]  # type: ignore[attr-defined]
    assert [(d.code, d.line) for d in diags.warnings] == [("body.empty", 9), ("body.empty", 12)]
