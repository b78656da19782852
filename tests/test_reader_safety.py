"""Readers against hostile files: Unicode normalised once, raw HTML read as what it is, links and
images that leave `articles/`, oversized files, control characters, and XML that tries entity
expansion, file reads or network access."""

from __future__ import annotations

import os
import re
import sys
import threading
import unicodedata
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from re import _constants as re_constants
from re import _parser as re_parser
from typing import Any, ClassVar, SupportsIndex

import pytest
from conftest import REPO, SAMPLE_SLUG, Exporter
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reader import STORY, VARIANT, read, write_story

from syndicate.cli import main
from syndicate.diagnostics import Diagnostic, Diagnostics
from syndicate.formats.newsml.reader import read_newsml
from syndicate.model import Heading, ListBlock, Paragraph, SiteConfig, SourceRef, Strong, Text
from syndicate.readers import budgets
from syndicate.readers.markdown import parse_body

NFD_HEADLINE = unicodedata.normalize("NFD", "Café crème à Zürich")
NFD_BODY = unicodedata.normalize("NFD", "Le maïs coûte 5 € à Genève, señor.")
PNG = (REPO / "articles" / "_site" / "icon.png").read_bytes()


# Unicode --------------------------------------------------------------------------------------


def test_nfd_text_is_nfc_in_the_model_and_every_output(
    tmp_path: Path, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not unicodedata.is_normalized("NFC", NFD_HEADLINE)
    variant = VARIANT.replace("A headline", NFD_HEADLINE).replace(
        "A paragraph of the body.", NFD_BODY
    )
    write_story(tmp_path / "articles", "nfd", en=variant)
    (story,), diags = read(tmp_path / "articles", site_config)
    assert not diags.errors
    assert story.original.headline == unicodedata.normalize("NFC", NFD_HEADLINE)
    assert NFD_BODY not in repr(story.original.body)
    assert unicodedata.normalize("NFC", NFD_BODY) in repr(story.original.body)

    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    args = ["export", "-q", "--articles", str(tmp_path / "articles"), "--out", str(out)]
    assert (
        main([*args, "-f", "newsml", "-f", "atom", "-f", "rss", "-f", "jsonld", "-f", "html"]) == 0
    )
    for path in out.rglob("*"):
        if path.suffix in {".xml", ".jsonld", ".html"}:
            text = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", text), path
            assert "Café crème" in text or "nfd" not in path.name, path


# Raw HTML ---------------------------------------------------------------------------------------


def body(markdown: str) -> tuple[object, list[str]]:
    diags = Diagnostics()
    blocks = parse_body(markdown, SourceRef("en.md", 8), lambda src: None, diags)
    return blocks, [f"{d.line}: {d.message}" for d in diags]


def test_block_tags_in_running_text_become_blocks_not_lost_text() -> None:
    """Each part of the split paragraph without the spaces at its edges (they were kept, in
    plain text and counts)."""
    blocks, warnings = body("Intro <p>inner</p> then <ul><li>one</li><li>two</li></ul>\n")
    assert blocks == (
        Paragraph((Text("Intro"),), SourceRef("en.md", 8)),
        Paragraph((Text("inner"),), SourceRef("en.md", 8)),
        Paragraph((Text("then"),), SourceRef("en.md", 8)),
        ListBlock(
            False,
            (
                (Paragraph((Text("one"),), SourceRef("en.md", 8)),),
                (Paragraph((Text("two"),), SourceRef("en.md", 8)),),
            ),
            SourceRef("en.md", 8),
            tight=True,  # items holding no <p>: written <li>one</li> again
        ),
    )
    assert warnings == []


def test_a_paragraph_whose_raw_html_is_all_removed_leaves_nothing() -> None:
    blocks, warnings = body('Kept.\n\n<svg onload="x()"><script>y()</script></svg>\n')
    assert blocks == (Paragraph((Text("Kept."),), SourceRef("en.md", 8)),)
    assert "10: raw HTML: removed <svg> element and its content" in warnings


def test_raw_html_in_a_heading_is_sanitised_like_a_paragraph() -> None:
    blocks, warnings = body('## Title <b onclick="x()">bold</b><script>y()</script>\n')
    assert blocks == (Heading(2, (Text("Title "), Strong((Text("bold"),))), SourceRef("en.md", 8)),)
    assert warnings == [
        "8: raw HTML: removed <script> element and its content",
        "8: raw HTML: removed onclick event handler attribute",
    ]


def the_error(articles: Path, config: SiteConfig) -> Diagnostic:
    """The one error that reading `articles` gives; no story is read."""
    stories, diags = read(articles, config)
    assert stories == []
    (error,) = diags.errors
    return error


# Paths that leave articles/ -------------------------------------------------------------------


def test_story_folder_linked_outside_articles_is_an_error(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    outside = write_story(tmp_path / "elsewhere", "outside")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "linked").symlink_to(outside, target_is_directory=True)
    error = the_error(articles, site_config)
    assert error.code == "story.outside" and error.path.endswith("articles/linked")
    assert error.message == (
        "story folder is a link to a place outside the articles folder; replace the link with a"
        " copy of the folder"
    )


def test_language_file_linked_outside_the_story_is_an_error(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    folder = write_story(tmp_path / "articles", "lang-link")
    secret = tmp_path / "secret.md"
    secret.write_text(VARIANT, encoding="utf-8")
    (folder / "fr.md").symlink_to(secret)
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "story.outside" and error.path.endswith("lang-link/fr.md")
    assert error.message.endswith("; replace the link with a copy of what it links to")


def test_image_linked_outside_the_story_is_an_error(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    story = STORY + "images:\n  - file: images/linked.png\n    alt: A picture\n"
    folder = write_story(tmp_path / "articles", "image-link", story)
    (folder / "images").mkdir()
    (folder / "images" / "linked.png").symlink_to(outside)
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "image.path" and error.message == (
        "image 'images/linked.png' is a link to a place outside the story folder; replace the"
        " link with a copy of the image"
    )
    assert error.path.endswith("image-link/story.yaml") and error.line == 10


# Sizes and characters -------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_its_size(
    tmp_path: Path, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budgets, "MAX_TEXT_BYTES", 1000)
    write_story(tmp_path / "articles", "big", en=VARIANT + "More text. " * 100)
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "file.too-large" and error.path.endswith("big/en.md")
    size = (tmp_path / "articles" / "big" / "en.md").stat().st_size
    assert error.message == (
        f"file is {size} bytes; source files are limited to 1000 bytes: make it smaller (split"
        " a long story into several)"
    )


def test_too_many_yaml_values_without_aliases_are_told_with_a_fix(
    tmp_path: Path, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A front matter with thousands of keywords (pasted by mistake) passes the limit on YAML
    values with no alias in it: the message asked "nested aliases?" and gave no fix."""
    monkeypatch.setattr(budgets, "MAX_YAML_VALUES", 50)
    keywords = "".join(f"  - keyword {n}\n" for n in range(60))
    variant = VARIANT.replace("dateline: Brussels\n", f"dateline: Brussels\nkeywords:\n{keywords}")
    write_story(tmp_path / "articles", "many", en=variant)
    stories, diags = read(tmp_path / "articles", site_config)
    assert stories == []
    (error,) = diags.errors
    assert error.path.endswith("many/en.md") and error.line is not None
    assert error.message == (
        "YAML expands to more than 50 values: remove values pasted by mistake (thousands of"
        " keywords); aliases (*name) count every value they repeat, so use fewer of them"
    )


def test_an_image_over_the_size_limit_is_refused_without_reading_it(
    tmp_path: Path, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = STORY + "images:\n  - file: images/big.png\n    alt: A picture\n"
    folder = write_story(tmp_path / "articles", "big-image", story)
    (folder / "images").mkdir()
    (folder / "images" / "big.png").write_bytes(PNG)
    monkeypatch.setattr(budgets, "MAX_IMAGE_BYTES", 100)
    open_file = os.open

    def refuse_images(path: str | Path, flags: int, *args: int) -> int:
        assert not str(path).endswith("big.png"), "a too-large image was opened"
        return open_file(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_images)
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "image.format"
    assert error.message == f"images/big.png: image is {len(PNG)} bytes; the limit is 100"


@pytest.mark.parametrize("char", ["\x07", "\x0b", "\x1b", "\ufffe"])
def test_a_control_character_in_the_body_is_an_error_at_its_line(
    tmp_path: Path, site_config: SiteConfig, char: str
) -> None:
    write_story(tmp_path / "articles", "control", en=VARIANT + f"\nA second{char} paragraph.\n")
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "text.control-char" and error.line == 10
    assert f"U+{ord(char):04X}" in error.message


@pytest.mark.parametrize(
    ("reference", "said"),
    [
        ("&#146;", "146 is a code of Windows-1252"),
        ("&#x93;", "write the character itself: \u201c (U+201C)"),
        ("&#150;", "write the character itself: \u2013 (U+2013)"),
        ("&#1;", "names no printable character"),
        ("&#xD800;", "names no printable character"),
        ("&#129;", "names no printable character"),  # no character of Windows-1252 either
    ],
)
def test_a_reference_to_no_character_is_an_error_at_its_line(
    tmp_path: Path, site_config: SiteConfig, reference: str, said: str
) -> None:
    """markdown-it reads `&#146;` (a Windows-1252 code pasted from an old system), `&#1;` or
    a surrogate as U+FFFD, and every channel published the replacement character with no
    word; raw HTML published `&#146;` as the apostrophe. The line is the reference's own, in a
    paragraph of two lines."""
    body = f"\nA second paragraph,\nthe minister{reference}s plan; `&#146;` in code is text.\n"
    write_story(tmp_path / "articles", "entity", en=VARIANT + body)
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "text.entity" and error.line == 11
    assert error.message.startswith(f"{reference} ") and said in error.message
    assert "replacement character \ufffd (U+FFFD)" in error.message


def test_a_reference_to_the_replacement_character_itself_is_read_as_written(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`&#65533;`, `&#xFFFD;`, `&amp;#146;` and references in code are what the writer meant."""
    body = "\nSpelled &#65533; and &#xFFFD;, quoted &amp;#146;, coded `&#146;`.\n"
    write_story(tmp_path / "articles", "entity", en=VARIANT + body)
    stories, diags = read(tmp_path / "articles", site_config)
    assert not diags.errors and len(stories) == 1


def test_thousands_of_unclosed_brackets_are_an_error_read_at_once(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """markdown-it looks for each `[`'s `]` through the rest of the text: 60 KB of `![a`
    took 8 s to read, a file at the 2 MiB budget minutes. Past 500 more `[` than `]` (those
    escaped as text aside) the body is a `body.brackets` error at its first line, found by
    counting, before markdown-it looks for any `]` (it did 80,000 times); 500, with escaped
    brackets and a link beside them, are read."""

    body = "\n" + "![a" * 20_000 + "\n"
    calls, _ = _calls_of("parseLinkLabel", body)
    assert calls == 0, f"{calls} labels looked for"
    write_story(tmp_path / "articles", "brackets", en=VARIANT + body)
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "body.brackets" and error.line == 8
    assert error.message.startswith("20000 more [ than ] in the text, past the 500")
    body = "\n" + "![a" * 500 + " \\[ \\[ [a link](https://example.org/)\n"
    write_story(tmp_path / "ok", "brackets", en=VARIANT + body)
    stories, diags = read(tmp_path / "ok", site_config)
    assert not diags.errors and len(stories) == 1


def _calls_of(name: str, markdown: str) -> tuple[int, Diagnostics]:
    """How many times a function called `name` is called while `markdown` is read."""
    calls = 0

    def count(frame: Any, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call" and frame.f_code.co_name == name

    diags = Diagnostics()
    sys.setprofile(count)
    try:
        parse_body(markdown, SourceRef("en.md", 8), lambda src: 0, diags)
    finally:
        sys.setprofile(None)
    return calls, diags


def test_brackets_nested_past_the_limit_are_an_error_read_at_once() -> None:
    """markdown-it looks through what each `[` holds for its `]`, once for each level it is
    in (`parseLinkLabel`): a megabyte of brackets nested 100 deep took 34 s to read. Past 16
    levels (escaped ones aside) the body is a `body.brackets` error at the line of the first
    bracket past them, found by counting before markdown-it reads a block's text: it looks
    for no `]` (it did 60,000 times here); 16 levels, escaped ones and unclosed ones are read."""
    deep = ("[" * 100 + "a" + "]" * 100 + " ") * 300
    calls, diags = _calls_of("parseLinkLabel", "Intro [a] [b].\n\n" + deep + "\n")
    assert calls == 0, f"{calls} labels looked for"
    assert [(d.code, d.line) for d in diags] == [("body.brackets", 10)]
    assert diags.errors[0].message.startswith("[ nested 100 deep, past the 16 a story may have")
    _, diags = _calls_of("", "[" * 16 + "a" + "]" * 16 + " " + "\\[" * 40 + "\n")
    assert not list(diags)
    # A bracket never closed holds nothing (those are `MAX_UNCLOSED`'s): 16 deep after it.
    _, diags = _calls_of("", "[a " * 100 + "[" * 16 + "a" + "]" * 16 + "\n")
    assert not diags.errors


@pytest.mark.parametrize(
    ("markdown", "codes"),
    [
        ("Math ``[[a, b], [c, d]]`` " * 20 + "and [a [link]](https://e.example).\n", []),
        ("".join("[Editor's note\n\n" for _ in range(17)) + "Said so.]\n\n" * 17, []),
        ("Intro.\n\n```json\n" + "[" * 20 + "1" + "]" * 20 + "\n```\n", ["body.unsupported"]),
    ],
    ids=["math-in-code", "paragraphs", "fence"],
)
def test_brackets_markdown_does_not_nest_are_not_counted(markdown: str, codes: list[str]) -> None:
    """Brackets are counted as markdown-it pairs them, in each block's text: those in a code
    block are code, and a `[` in one paragraph is never closed by a `]` in
    another. Both were a `body.brackets` error (a fence's said instead of its own error)."""
    diags = Diagnostics()
    parse_body(markdown, SourceRef("en.md", 8), lambda src: 0, diags)
    assert [d.code for d in diags.errors] == codes


@pytest.mark.parametrize(
    "before", ['<a title="`">', "<https://e.example/`>", "[a](`)", "`a`` b", ""]
)
def test_brackets_nested_too_deep_after_a_backtick_are_counted(before: str) -> None:
    """A code span's brackets count too: a backtick may be an HTML tag's, an autolink's or a
    link address's, and those after it to the next one are then no code to markdown-it."""
    deep = "[" * 100 + "a" + "]" * 100
    calls, diags = _calls_of("parseLinkLabel", f"{before} {deep} `.\n")
    assert calls == 0
    assert [(d.code, d.line) for d in diags.errors] == [("body.brackets", 8)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_brackets_nested_too_deep_are_said_at_their_line(newline: str) -> None:
    """The line of the first bracket past the limit, in a file of any line ends (a file
    saved with `\\r` alone was said at its first line)."""
    text = newline.join(["Intro.", "", "A [b] c", "[" * 17 + "d" + "]" * 17, ""])
    diags = Diagnostics()
    parse_body(text, SourceRef("en.md", 8), lambda src: 0, diags)
    assert [(d.code, d.line) for d in diags] == [("body.brackets", 11)]


# What a body's checks look through grows with its size, never with its square --------------


class _Backtracking:
    """Python's `re` as a backtracking matcher (its rules, not its shortcuts, for what the
    patterns below use), counting the characters it tests: the work a pattern does, where a
    pattern that splits a run of spaces in every way tests them again for each way."""

    _CLASSES: ClassVar[dict[object, str]] = {
        re_constants.CATEGORY_SPACE: r"\s",
        re_constants.CATEGORY_NOT_SPACE: r"\S",
        re_constants.CATEGORY_DIGIT: r"\d",
        re_constants.CATEGORY_WORD: r"\w",
    }

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.items = list(re_parser.parse(pattern.pattern, pattern.flags))
        self.fold, self.dotall = bool(pattern.flags & re.I), bool(pattern.flags & re.S)
        self.tested = 0

    def _is(self, char: str, code: int) -> bool:
        return char == chr(code) or (self.fold and char.lower() == chr(code).lower())

    def _takes(self, op: object, av: Any, char: str) -> bool:
        if op == re_constants.LITERAL:
            return self._is(char, av)
        if op == re_constants.NOT_LITERAL:
            return not self._is(char, av)
        if op == re_constants.ANY:
            return self.dotall or char != "\n"
        negated = taken = False
        for kind, arg in av:
            if kind == re_constants.NEGATE:
                negated = True
            elif kind == re_constants.LITERAL:
                taken |= self._is(char, arg)
            elif kind == re_constants.RANGE:
                taken |= arg[0] <= ord(char) <= arg[1]
            else:
                taken |= re.fullmatch(self._CLASSES[arg], char) is not None
        return taken != negated

    def _ends(self, items: list[Any], at: int, pos: int, text: str) -> Iterator[int]:
        """Where `items[at:]` can end from `pos`, in the order `re` tries them."""
        if at == len(items):
            yield pos
            return
        op, av = items[at]
        if op in (re_constants.SUBPATTERN, re_constants.BRANCH):
            for way in [av[3]] if op == re_constants.SUBPATTERN else av[1]:
                for end in self._ends(list(way), 0, pos, text):
                    yield from self._ends(items, at + 1, end, text)
        elif op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT):
            yield from self._repeats(items, at, 0, pos, text)
        else:
            self.tested += 1
            if pos < len(text) and self._takes(op, av, text[pos]):
                yield from self._ends(items, at + 1, pos + 1, text)

    def _repeats(self, items: list[Any], at: int, count: int, pos: int, text: str) -> Iterator[int]:
        op, (least, most, repeated) = items[at]
        for more in [True, False] if op == re_constants.MAX_REPEAT else [False, True]:
            if more and count < most:
                for end in self._ends(list(repeated), 0, pos, text):
                    if end != pos:
                        yield from self._repeats(items, at, count + 1, end, text)
            elif not more and count >= least:
                yield from self._ends(items, at + 1, pos, text)

    def search(self, text: str) -> bool:
        ends = (next(self._ends(self.items, 0, at, text), None) for at in range(len(text) + 1))
        return any(end is not None for end in ends)

    def fullmatch(self, text: str) -> bool:
        return any(end == len(text) for end in self._ends(self.items, 0, 0, text))


@pytest.mark.parametrize(
    ("check", "written", "body"),
    [
        ("_REFUSED_LINK", "a](" + " " * 120 + "x", "a](" + " " * 50_000 + "x\n"),
        ("_TABLE_RULE", " " * 120 + "x", "a|b\n" + " " * 60_000 + "x\n"),
    ],
    ids=["refused-link", "table-rule"],
)
def test_a_run_of_spaces_is_tested_once(check: str, written: str, body: str) -> None:
    """The refused-link and table-rule patterns split a run of spaces in every way
    (`\\s*<?\\s*`, `\\s*\\|?\\s*`), testing it again for each way: 50,000 spaces after a `](`
    took 27 s, 60,000 under a line with a `|` 21 s, the square of their number. The characters
    the pattern tests are counted: a few times each now (100 and more for 120 spaces before)."""
    from syndicate.readers import markdown

    pattern = getattr(markdown, check)
    matcher = _Backtracking(pattern)
    if check == "_TABLE_RULE":
        assert matcher.fullmatch(written) is bool(pattern.fullmatch(written)) is False
    else:
        assert matcher.search(written) is bool(pattern.search(written)) is False
    assert matcher.tested <= 10 * len(written), f"{matcher.tested} characters tested"
    diags = Diagnostics()
    parse_body(body, SourceRef("en.md", 8), lambda src: 0, diags)
    assert not diags.errors


class _Scanning:
    """A pattern that counts the characters its searches look through (`_Looked.looked`)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        found = self.pattern.search(text, pos, endpos)
        _Looked.looked += (found.end() if found else min(endpos, len(text))) - pos
        return found

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        _Looked.looked += min(endpos, len(text)) - pos
        return self.pattern.finditer(text, pos, endpos)


@pytest.mark.parametrize(
    ("check", "patterns", "written"),
    [
        ("_spaced_image", ["_PATH_END", "_SPACE"], "![a]( " * 2_000),
        ("_spaced_image", ["_PATH_END", "_SPACE"], "![a](b " * 2_000 + ">"),
        ("_shortcode", ["_SHORTCODE_START", "_SHORTCODE_END"], "{{< " * 3_000),
    ],
    ids=["spaced-image", "spaced-image-path", "shortcode"],
)
def test_a_check_looks_through_a_text_once(
    check: str, patterns: list[str], written: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spaced-image pattern looked from each `![` to its path's end, and through that path
    for a space in every way (10,000 characters of `![a]( ` took 27 s, the cube of their
    number); the shortcode one from each `{{<` to the text's end (200,000 characters, 36 s).
    The characters each check's searches look through are counted: a few times the text's
    (28 million for the 14,000 of `![a](b ` if each `](` looked for its own path's end)."""
    from syndicate.readers import markdown

    for name in patterns:
        monkeypatch.setattr(markdown, name, _Scanning(getattr(markdown, name)))
    _Looked.looked = 0
    getattr(markdown, check)(_Looked(written))
    assert _Looked.looked <= 6 * len(written), f"{_Looked.looked} characters looked through"
    diags = Diagnostics()
    parse_body(written + "\n", SourceRef("en.md", 8), lambda src: 0, diags)
    assert not diags.errors


_OLD_SPACED_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)<>]*\s[^)<>]*)\)")
_OLD_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
_OLD_REFUSED_LINK = re.compile(r"\]\(\s*<?\s*((?:javascript|vbscript|file|data):[^)\s>]*)", re.I)
_OLD_TABLE_RULE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="![]()<> \n\tab", max_size=40),
    st.text(alphabet="{}<>% \na", max_size=30),
    st.lists(st.sampled_from(["](", " ", "<", "data:", "x", ")", ">", "JavaScript:"]), max_size=12),
    st.text(alphabet=" |:-\tx", max_size=20),
)
def test_checks_read_through_once_find_what_their_patterns_found(
    image: str, shortcode: str, link: list[str], rule: str
) -> None:
    """The one-pass checks find what the patterns they replace found, where and as written."""
    from syndicate.readers import markdown

    spaced = _OLD_SPACED_IMAGE.search(image)
    assert markdown._spaced_image(image) == (spaced.group(1) if spaced else None)
    found = _OLD_SHORTCODE.search(shortcode)
    assert markdown._shortcode(shortcode) == (found.group() if found else None)
    written = "".join(link)
    assert [m.group(0, 1) for m in markdown._REFUSED_LINK.finditer(written)] == [
        m.group(0, 1) for m in _OLD_REFUSED_LINK.finditer(written)
    ]
    assert bool(markdown._TABLE_RULE.fullmatch(rule)) == bool(_OLD_TABLE_RULE.fullmatch(rule))


class _Looked(str):
    """A text that counts the characters its `find` and `count` look through."""

    looked = 0

    def _span(self, start: SupportsIndex | None, end: SupportsIndex | None) -> None:
        first = 0 if start is None else int(start)
        _Looked.looked += (len(self) if end is None else int(end)) - first

    def find(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        found = str.find(self, sub, start, end)
        self._span(start, end if found < 0 else found + len(sub))  # (it stops where it found)
        return found

    def count(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        self._span(start, end)
        return str.count(self, sub, start, end)

    def rfind(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        found = str.rfind(self, sub, start, end)
        self._span(start if found < 0 else found, end)  # (it stops where it found)
        return found


def test_references_to_no_character_are_each_found_from_the_one_before() -> None:
    """Each `&#146;` was looked for, and the lines before it counted, from its paragraph's
    start: 200,000 of them (1.4 MB) took 19 s, the square of their number. Each is looked
    for from the one before, its line counted from there, and said at its own line."""
    from markdown_it.rules_core import StateCore

    from syndicate.readers.markdown import _MD, _NOT_CHARACTERS, _find_not_characters

    text = "".join(f"a &#146;{i} b\n" for i in range(2_000))
    state = StateCore(text, _MD, {})
    for rule in _MD.core.ruler.getRules(""):
        if rule is _find_not_characters:
            break
        rule(state)
    for token in state.tokens:
        token.content = _Looked(token.content)
    _Looked.looked = 0
    _find_not_characters(state)
    assert [line for line, _ in state.env[_NOT_CHARACTERS]] == list(range(2_000))
    assert _Looked.looked <= 2 * len(text), f"{_Looked.looked} characters looked through"


def _literal_links_looked(text: str) -> tuple[list[tuple[str, int]], int]:
    """What the check of links with a space (`_literal_links`) says of `text`'s paragraph, a
    body starting at line 8 (code and line of each), and the characters it looked through."""
    from syndicate.readers.markdown import _MD, _TreeBuilder

    inline = _MD.parse(text, {})[1]
    inline.content = _Looked(inline.content)
    _Looked.looked = 0
    diags = Diagnostics()
    _TreeBuilder(SourceRef("en.md", 8), lambda src: 0, diags)._literal_links(
        inline, SourceRef("en.md", 8)
    )
    return [(d.code, d.line) for d in diags], _Looked.looked


def test_links_with_a_space_are_each_found_from_the_one_before() -> None:
    """The same for a link with a space in its address (`[a](https://e.example/a b)`):
    each was looked for in its paragraph from its start, and a link written again was said
    at the first one's line, once."""
    text = "".join(f"[a](https://e.example/a b{i})\n" for i in range(2_000))
    text += "[a](https://e.example/a b0)\n"
    said, looked = _literal_links_looked(text)
    assert said == [("body.link", 8 + at) for at in range(2_001)]
    assert looked <= 2 * len(text), f"{looked} characters looked through"


def test_a_link_with_a_space_after_one_over_lines_is_said_at_its_line() -> None:
    """A link's words may run over lines: the lines of those of a link before it count too
    (its line was counted from the end of the one before, a line short for each)."""
    text = (
        "[a\nb\nc](https://e.example/a b)\nx\n"
        "[d\ne](https://e.example/d e) and [f](https://e.example/f g)\n"
    )
    diags = Diagnostics()
    parse_body(text, SourceRef("en.md", 8), lambda src: 0, diags)
    assert [(d.code, d.line) for d in diags] == [
        ("body.link", 8),
        ("body.link", 12),
        ("body.link", 13),
    ]


def test_a_link_with_a_space_whose_bracket_is_escaped_is_text() -> None:
    """The error says "if it is no link, write its bracket \\[": written so, it was said
    again (the same words unescaped, on the next line, are a link)."""
    text = "\\[a](https://e.example/a b) and\n[a](https://e.example/a b)\n"
    diags = Diagnostics()
    parse_body(text, SourceRef("en.md", 8), lambda src: 0, diags)
    assert [(d.code, d.line) for d in diags] == [("body.link", 9)]


def test_a_link_with_a_space_after_an_escaped_backslash_is_said_as_one() -> None:
    """`\\\\[a](x y)` is a backslash written escaped, then a link CommonMark reads as text, as
    `[a](x y)` is (markdown-it: text `\\[a](x y)`): the check, reading the text unescaped, took
    that backslash for one escaping the `[`, and said nothing. Said at its line, as the
    unescaped one is; three backslashes (one escaped, then an escaped `[`) are text; each of
    2,000 is found from the one before (the characters looked through counted)."""
    text = (
        "\\\\[a](https://e.example/a b) and\n[a](https://e.example/a b)\n"
        "x \\\\\\[a](https://e.example/a b)\n"
    )
    diags = Diagnostics()
    parse_body(text, SourceRef("en.md", 8), lambda src: 0, diags)
    assert [(d.code, d.line) for d in diags] == [("body.link", 8), ("body.link", 9)]
    text = "".join(f"\\\\[a](https://e.example/a b{i})\n" for i in range(2_000))
    said, looked = _literal_links_looked(text)
    assert said == [("body.link", 8 + at) for at in range(2_000)]
    assert looked <= 2 * len(text), f"{looked} characters looked through"


def test_footnotes_beside_link_definitions_are_read_in_one_pass() -> None:
    """A footnote's note has a blank line added after it (`parse_body`), and each unused link
    definition's line was found by counting every one of those before it, in Python: 20,000
    of each took 4 s more than the rest of their reading, the square of their number. A
    bound on the calls made (the count's steps were calls of its generator) tells them
    apart; every one is said at its own line."""
    import sys

    text = "".join(f"[^{i}]: a\n[r{i}]: https://e.example/{i}\n" for i in range(2_000))
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call"

    diags = Diagnostics()
    sys.setprofile(count)
    try:
        parse_body(text, SourceRef("en.md", 8), lambda src: 0, diags)
    finally:
        sys.setprofile(None)
    lines = [(d.code, d.line) for d in diags if d.code == "body.link-definition"]
    assert lines == [("body.link-definition", 9 + 2 * at) for at in range(2_000)]
    assert calls < 500 * 4_000, f"{calls} calls for 4,000 lines (3 million before)"


CONFLICT = """\
<<<<<<< HEAD
The harbour master said ships would return on Wednesday.
=======
The harbour master said ships would return on Thursday.
>>>>>>> origin/main
"""
DIFF3_CONFLICT = """\
<<<<<<< ours
dateline: Brussels
||||||| base
dateline: Antwerp
=======
dateline: Ghent
>>>>>>> theirs
"""


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("en.md", VARIANT + "\n" + CONFLICT, 10),
        ("en.md", VARIANT.replace("dateline: Brussels\n", DIFF3_CONFLICT), 6),
        ("story.yaml", STORY.replace("section: politics\n", CONFLICT), 3),
    ],
    ids=["body", "front matter, diff3", "story.yaml"],
)
def test_an_unresolved_merge_conflict_is_an_error_at_its_first_marker(
    tmp_path: Path, site_config: SiteConfig, name: str, text: str, line: int
) -> None:
    """Git's conflict markers in a body were published to every channel (both sides, the
    markers, `>>>>>>> origin/main` as seven quotes in one another); in YAML they were a
    syntax error that never said merge. One error at the `<<<<<<<` line, before any parsing."""
    folder = write_story(tmp_path / "articles", "conflict")
    (folder / name).write_text(text.format(slug="conflict"), encoding="utf-8")
    error = the_error(tmp_path / "articles", site_config)
    assert (error.code, error.path, error.line) == (
        "file.merge-conflict",
        str(folder / name),
        line,
    )
    assert error.message.startswith("an unresolved merge conflict (git's markers, lines")
    assert "keep one side" in error.message


def test_lines_like_a_conflict_s_markers_are_markdown_not_a_conflict(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`=======` alone underlines a heading and `>>>>>>> text` is a quote seven deep: only a
    `<<<<<<<` line and a later `>>>>>>>` line, each exactly seven, are a conflict."""
    body = (
        "\n>>>>>>> a quote seven deep\n\n<<<<<<<< eight are no marker\n\n"
        "a <<<<<<< HEAD inside a line\n>>>>>>>> eight again\n"
    )
    write_story(tmp_path / "articles", "lookalike", en=VARIANT + body)
    stories, diags = read(tmp_path / "articles", site_config)
    assert not diags.errors and len(stories) == 1


@pytest.mark.parametrize(
    ("variant", "line", "where"),
    [
        ("\ufeff" + VARIANT, 1, "a second byte order mark at the start of the file"),
        (VARIANT.replace("headline: A", "headline: \ufeffA"), 2, "a byte order mark at column 11"),
        (VARIANT + "Ships \ufeffare back.\n", 9, "a byte order mark at column 7"),
    ],
    ids=["a second at the start", "in the headline", "in the body"],
)
def test_a_byte_order_mark_past_a_file_s_first_character_is_an_error_at_its_line(
    tmp_path: Path, site_config: SiteConfig, variant: str, line: int, where: str
) -> None:
    """A second BOM at the start hid the front matter (a "no front matter" error for a file
    that visibly starts with ---), and one in a headline or body was published, invisible, in
    every channel. The file's first one is dropped, as it always was."""
    folder = write_story(tmp_path / "articles", "bom")
    (folder / "en.md").write_bytes(b"\xef\xbb\xbf" + variant.encode())
    error = the_error(tmp_path / "articles", site_config)
    assert (error.code, error.line) == ("text.control-char", line)
    assert f"character U+FEFF, {where}" in error.message and "delete it" in error.message


def test_a_control_character_writes_nothing_to_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_story(tmp_path / "articles", "control", en=VARIANT + "\nA bell\x07 rings.\n")
    out = tmp_path / "out"
    (out / "atom").mkdir(parents=True)
    (out / "atom" / "en.xml").write_text("the previous feed", encoding="utf-8")
    before = outputs(out)
    monkeypatch.chdir(REPO)
    args = ["export", "--format", "all", "--articles", str(tmp_path / "articles")]
    assert main([*args, "--out", str(out)]) == 2
    assert "control/en.md:10: error: character U+0007" in capsys.readouterr().err
    assert outputs(out) == before
    assert (out / "atom" / "en.xml").read_text(encoding="utf-8") == "the previous feed"


def outputs(out: Path) -> list[Path]:
    """What is in `out/`, but syndicate's own bookkeeping (lock file, manifest)."""
    return sorted(p.relative_to(out) for p in out.rglob("*") if not p.name.startswith("."))


# XML readers ----------------------------------------------------------------------------------


class _Requests(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leaked "FROM THE NETWORK">')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local server that records every request made to it."""
    _Requests.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Requests)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Requests.seen
    server.shutdown()
    server.server_close()


def billion_laughs() -> str:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    return f"<!DOCTYPE packageItem [{entities}]><packageItem>&l9;</packageItem>"


def quadratic_blowup() -> str:
    """One 50 kB entity used 50,000 times: 2.5 GB if expanded, from 200 kB of XML."""
    return (
        f'<!DOCTYPE packageItem [<!ENTITY a "{"x" * 50_000}">]>'
        f"<packageItem>{'&a;' * 50_000}</packageItem>"
    )


def hostile_documents(tmp_path: Path, server: str) -> dict[str, str]:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    return {
        "billion-laughs": billion_laughs(),
        "quadratic": quadratic_blowup(),
        "internal-entity": '<!DOCTYPE p [<!ENTITY h "EXPANDED">]><packageItem>&h;</packageItem>',
        "file-entity": f'<!DOCTYPE p [<!ENTITY s SYSTEM "file://{secret}">]><p>&s;</p>',
        "network-dtd": f'<!DOCTYPE p SYSTEM "{server}/dtd"><packageItem/>',
        "network-entity": f'<!DOCTYPE p [<!ENTITY n SYSTEM "{server}/ent">]><p>&n;</p>',
        "parameter-entity": f'<!DOCTYPE p [<!ENTITY % x SYSTEM "{server}/pe"> %x;]><p>&leaked;</p>',
    }


@pytest.mark.parametrize(
    "name",
    [
        "billion-laughs",
        "quadratic",
        "internal-entity",
        "file-entity",
        "network-dtd",
        "network-entity",
        "parameter-entity",
    ],
)
def test_newsml_reader_refuses_entities_files_and_network(
    tmp_path: Path, http_server: tuple[str, list[str]], name: str
) -> None:
    url, requests = http_server
    folder = tmp_path / "items"
    folder.mkdir()
    path = folder / f"{name}.package.xml"
    path.write_text(hostile_documents(tmp_path, url)[name], encoding="utf-8")
    diags = Diagnostics()
    assert read_newsml(folder, diags) == []
    (error,) = list(diags)
    assert error.code == "newsml.read" and error.path == str(path)
    # Refused for its DOCTYPE, or earlier by libxml2's own bound on entity amplification.
    assert "DOCTYPE declarations are refused" in error.message or (
        "entity amplification" in error.message
    )
    for leaked in ("lollol", "EXPANDED", "TOP SECRET", "FROM THE NETWORK"):
        assert leaked not in error.message
    assert requests == []


def test_a_hostile_item_in_a_valid_package_is_refused(
    export_sample: Exporter, tmp_path: Path
) -> None:
    folder = export_sample("newsml") / "newsml"
    item = folder / f"{SAMPLE_SLUG}.fr.xml"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    item.write_text(
        f'<!DOCTYPE n [<!ENTITY s SYSTEM "file://{secret}">]><newsItem>&s;</newsItem>',
        encoding="utf-8",
    )
    diags = Diagnostics()
    assert read_newsml(folder, diags) == []
    (error,) = list(diags)
    assert error.path == str(item) and "DOCTYPE" in error.message


def test_validating_outputs_never_expands_entities_or_fetches(
    tmp_path: Path,
    http_server: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, requests = http_server
    documents = hostile_documents(tmp_path, url)
    out = tmp_path / "out"
    for folder in ("atom", "rss", "opds", "newsml"):
        for name, text in documents.items():
            (out / folder).mkdir(parents=True, exist_ok=True)
            (out / folder / f"{name}.xml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "billion-laughs.xml" in err
    for leaked in ("lollol", "TOP SECRET", "FROM THE NETWORK"):
        assert leaked not in err
    assert requests == []


# Nesting ----------------------------------------------------------------------------------------


def _nested_list(levels: int) -> str:
    return "".join("  " * k + f"- level {k + 1}\n" for k in range(levels))


def test_a_deeply_nested_list_keeps_the_rest_of_the_body() -> None:
    """markdown-it's CommonMark preset stops at 20 levels of nesting and drops the rest of the
    text in silence: a list ten deep lost every paragraph after it, in every format."""
    blocks, problems = body(f"First.\n\n{_nested_list(10)}\nThe minister resigned.\n")
    assert problems == []
    assert isinstance(blocks, tuple) and len(blocks) == 3
    assert blocks[2] == Paragraph((Text("The minister resigned."),), SourceRef("en.md", 21))
    deepest = blocks[1]
    for _level in range(1, 10):
        assert isinstance(deepest, ListBlock)
        deepest = deepest.items[0][1]
    assert isinstance(deepest, ListBlock)
    assert deepest.items[0] == (Paragraph((Text("level 10"),), SourceRef("en.md", 19)),)


@pytest.mark.parametrize(
    ("markdown", "line", "found"),
    [
        (f"First.\n\n{_nested_list(20)}\nLast.\n", 10, 42),
        ("First.\n\n" + "> " * 40 + "quoted\n", 10, 42),
        ("First.\n\n" + "> " * 500 + "quoted\n\nLost?\n", 10, 100),
        ("First.\n\n" + "<b>" * 300 + "bold\n", 10, 255),
        ("<ul><li>" * 300 + "x\n", 8, 253),
        ("**" + "*a " * 40 + "deep" + " a*" * 40 + "**\n", 8, 43),
    ],
)
def test_nesting_past_the_limit_is_an_error_at_its_block(
    markdown: str, line: int, found: int
) -> None:
    """Past `MAX_DEPTH` (32), a body is an error at the block that nests so deep, never cut
    short in silence by the parser, nor a RecursionError in a writer: three hundred `<b>`
    stopped the export of every story, `--keep-going` or not."""
    blocks, problems = body(markdown)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{line}: lists, quotes or inline markup nested {found} deep")
    assert "past the 32 a story may take" in problems[0]
    assert blocks == ()


def test_a_story_nested_to_the_limit_is_written_by_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """32 deep (a list 15 levels, 30 quotes, 30 bold tags) is what every writer, the
    templates and the EPUB's pages take; one more is the error, and under --keep-going the
    other stories are published."""
    text = (
        VARIANT
        + f"\n{_nested_list(15)}\n"
        + "> " * 30
        + "quoted\n\n"
        + "<b>" * 30
        + "bold"
        + "</b>" * 30
        + "\n\nThe last paragraph.\n"
    )
    write_story(tmp_path / "articles", "deep", en=text)
    write_story(tmp_path / "articles", "deeper", en=text.replace("> " * 30, "> " * 31))
    monkeypatch.chdir(REPO)
    args = ["export", "--format", "all", "--articles", str(tmp_path / "articles"), "-q"]
    assert main([*args, "--out", str(tmp_path / "out"), "--keep-going"]) == 3
    page = (tmp_path / "out" / "html" / "deep.en.html").read_text(encoding="utf-8")
    assert "The last paragraph." in page and page.count("<blockquote") == 30
    assert not (tmp_path / "out" / "html" / "deeper.en.html").exists()
    assert (tmp_path / "out" / "epub" / "deep.en.epub").is_file()


@pytest.mark.parametrize(
    ("markdown", "url"),
    [
        ("Click [here](javascript:alert(1)).", "javascript:alert(1"),
        ("![](file:///etc/passwd)", "file:///etc/passwd"),
        ("See [it](<VBScript:msgbox>) now.", "VBScript:msgbox"),
        ("[a](data:text/html,hi)", "data:text/html,hi"),
    ],
)
def test_a_link_markdown_refuses_is_an_error_not_published_text(markdown: str, url: str) -> None:
    """markdown-it takes no `javascript:`, `vbscript:`, `file:` or `data:` link: it left the
    Markdown as text, and `[here](javascript:alert(1))` was published as written, unsaid."""
    _, problems = body(markdown)
    assert problems == [
        f"8: a link to {url!r} would be published as its Markdown text: a link must be an"
        " absolute http(s):// or mailto: URL, an image one listed under images: in story.yaml"
    ]


def test_words_about_a_scheme_are_no_link() -> None:
    assert body("The javascript: scheme (and file:) in a sentence.")[1] == []


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ('"2"', "; quoted, YAML reads it as text: write it without quotes (2)"),
        # Text YAML reads as text however it is written, though Python reads it as a number
        # (found by mutation fuzzing): told to lose quotes it did not have, which mends nothing.
        ("1e400", "; YAML reads it as text, not a number: write the number in plain digits (12)"),
        ('"1e5"', "; YAML reads it as text, not a number: write the number in plain digits (12)"),
        ("NaN", "; YAML reads it as text, not a number: write the number in plain digits (12)"),
        ("١٢", "; YAML reads it as text, not a number: write the number in plain digits (12)"),
        # A decimal in quotes where a whole number goes: told to lose its quotes, after which
        # it was refused still ("expected a whole number", "is written as a decimal").
        (
            '"2.5"',
            "; quoted, YAML reads it as text, and it is no whole number: write one in plain"
            " digits, without quotes (12)",
        ),
        ('"2.0"', "; quoted, YAML reads it as text: write it without quotes or decimals (2)"),
    ],
)
def test_a_quoted_number_is_told_to_lose_its_quotes(
    tmp_path: Path, site_config: SiteConfig, written: str, hint: str
) -> None:
    """`version: "2"` said only "expected a whole number, found '2'"."""
    write_story(tmp_path / "articles", "quoted", STORY + f"version: {written}\n")
    error = the_error(tmp_path / "articles", site_config)
    assert error.code == "article.schema" and error.line == 9
    found = written.strip('"')
    assert error.message == f"version: expected a whole number, found {found!r}{hint}"


@pytest.mark.parametrize("change", ["fifo", "link", "other", "removed"])
def test_writers_publish_the_image_bytes_that_were_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A story's image changed on disk after it was read, hashed and checked (a sync tool, a
    folder renamed while cron runs the export): the writers read it again by its path, and
    published whatever was there (a link's target outside the articles, another image than
    the sizes the page gives), hung on a FIFO, or failed the whole export on a file gone.
    They publish the bytes that were checked."""
    from sites import Site

    import syndicate.build.workers as workers

    site = Site(tmp_path / "site")
    image = site.articles / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    checked = image.read_bytes()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for publication", encoding="utf-8")
    reading = workers.read_input

    def read_then_change(source: object, *args: object, **kwargs: object) -> object:
        read = reading(source, *args, **kwargs)  # type: ignore[arg-type]
        if str(getattr(source, "folder", "")).endswith(SAMPLE_SLUG) and image.exists():
            image.unlink()
            if change == "fifo":
                os.mkfifo(image)
            elif change == "link":
                image.symlink_to(secret)
            elif change == "other":
                image.write_bytes(checked[:-12] + b"other bytes!")
        return read

    monkeypatch.setattr(workers, "read_input", read_then_change)
    args = ["export", "-q", "--executor", "serial", "--now", "2026-01-01T00:00:00Z"]
    args += ["--out", str(site.out), "--articles", str(site.articles)]
    assert site.cli(*args, "-f", "html", "-f", "ninjs", "-f", "newsml") == 0
    for folder in ("html/media", "ninjs/media", "newsml/media"):
        published = site.out / folder / SAMPLE_SLUG / "nato-iraq-mission.png"
        assert published.read_bytes() == checked, folder


def test_an_edition_s_image_changed_since_it_was_read_is_said_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An edition reads its stories' images again when it is made, after every story was
    read: a file replaced meanwhile by another image went into the book, its sizes those of
    the first. Its size is checked against the one read: an error saying to run again."""
    from sites import Site

    import syndicate.build.workers as workers

    site = Site(tmp_path / "site")
    site.configure("epub:\n  edition: latest\n  story_books: false\n")
    image = site.articles / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    reading = workers.read_input

    def read_then_change(source: object, *args: object, **kwargs: object) -> object:
        read = reading(source, *args, **kwargs)  # type: ignore[arg-type]
        if str(getattr(source, "folder", "")).endswith(SAMPLE_SLUG):
            image.write_bytes(image.read_bytes() + b"more bytes")
        return read

    monkeypatch.setattr(workers, "read_input", read_then_change)
    args = ["export", "-q", "--executor", "serial", "--now", "2026-01-01T00:00:00Z"]
    args += ["--out", str(site.out), "--articles", str(site.articles), "-f", "epub"]
    capsys.readouterr()
    assert site.cli(*args) == 1
    err = capsys.readouterr().err
    assert "nato-iraq-mission.png: the file changed while the export ran" in err, err
    assert "run the export again" in err


def test_an_asset_read_again_is_a_regular_file_or_an_error_never_a_wait(tmp_path: Path) -> None:
    """What a collection reads again of a story's files (an edition's images, the logo) is
    read as a regular file: a FIFO put in its place is an OSError at once, not a hang."""
    from syndicate.readers.safefile import read_regular

    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(fifo, follow=True)
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"bytes")
    (tmp_path / "link.png").symlink_to(plain)
    assert read_regular(tmp_path / "link.png", follow=True)[0] == b"bytes"
    with pytest.raises(OSError):
        read_regular(tmp_path / "link.png")
