"""Markdown body text to the model's block/inline tree, each block with its source line."""

from __future__ import annotations

import ast
import bisect
import dataclasses
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from syndicate.diagnostics import Diagnostics, shortened
from syndicate.model.body import (
    LINK_SCHEMES,
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
    Strong,
    Subscript,
    Superscript,
    Text,
    ThematicBreak,
    depth,
    walk,
)
from syndicate.model.site import VISIBLE
from syndicate.model.source import SourceRef
from syndicate.readers.textfile import XML_FORBIDDEN, holds_forbidden
from syndicate.readers.xhtml import link_href

if TYPE_CHECKING:
    import regex

MAX_HTML_DEPTH = 1_000
"""Raw HTML's open tags nested deeper than this (counted by `html_depth`) are refused before
they are sanitised, whose time grows with the square of the nesting (a shallower excess is
refused with the body's depth, `MAX_DEPTH`, once read)."""
MAX_INLINE_DEPTH = 200
"""Emphasis, strong and links nested deeper than this are refused before the paragraph's
tree is built, which recurses once a level (a shallower excess: as `MAX_HTML_DEPTH`)."""
MAX_DEPTH = 32
"""The deepest a body's elements may nest (a list item's paragraph is 3 deep, each quote,
emphasis or link one more): far past what a story needs, well within what every channel
renders (an EPUB reader's, a template's) and what markdown-it parses whole."""

# CommonMark with raw HTML on: raw HTML is sanitised (readers/rawhtml.py) before it becomes
# body nodes, so no markup from a story reaches an output unchecked. markdown-it drops the
# rest of a text silently past `maxNesting` (20 in its CommonMark preset: ten nested lists);
# at 100 the body's own limit (`MAX_DEPTH`, an error) comes first.
_OPTIONS = {"html": True, "typographer": False, "maxNesting": 100}
_MD = MarkdownIt("commonmark", _OPTIONS)
_MD_LF = MarkdownIt("commonmark", _OPTIONS).disable("normalize")
"""`_MD` without markdown-it's `normalize` rule, for a text that holds no carriage return and
no NUL (`_parser`): the rule makes every `\r\n` and `\r` a `\n` and every NUL a U+FFFD, and
gives such a text back unchanged, having built it anew match by match (its pattern matches
every `\n`: 6 ms for the bench's 400 bodies)."""


def _parser(text: str) -> MarkdownIt:
    return _MD if "\r" in text or "\0" in text else _MD_LF


class _RunRenderer(RendererHTML):
    """An inline run with raw HTML as the HTML the sanitiser reads, its line breaks as the
    body's other paragraphs have them: a soft break a space or nothing (`_soft_breaks`), a
    hard break a `<br />` with no new line after it. markdown-it's own wrote the source's new
    lines, which stayed in the text (a paragraph broken at every source line in plain text, a
    hard break a blank line)."""

    def softbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return tokens[idx].content  # a space, or nothing (`_soft_breaks`)

    def hardbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return "<br />"


_HTML_RENDERER = _RunRenderer()

_PATH_END = re.compile(r"[)<>]")
"""What ends an image's path as the spaced-image check reads it (`_spaced_image`)."""
_SPACE = re.compile(r"\s")


def _spaced_image(text: str) -> str | None:
    """The path of the first image written with a space in it (`![alt](a b.png)`), which
    CommonMark reads as text, not as an image; None if there is none. Found in one pass: a
    pattern scanned from each `![` to its `]`, and from there to the path's end, again for
    each (10,000 characters of `![a](` took 27 s, the cube of their number). Here each `](`
    is looked at once: an image opens before it (a `![` after the `]` before it), and its path
    runs to the next `)`, `<` or `>`, whose end, and the last space before it, the `](`s in
    that path share."""
    closing, end, last_space = 0, -1, -1
    while (close := text.find("](", closing)) >= 0:
        opened = text.rfind("]", closing, close) + 1 or closing
        closing = close + 2
        if text.find("![", opened, close) < 0:
            continue
        if closing > end:  # a path of its own: its end, and its last space, found once
            found = _PATH_END.search(text, closing)
            if found is None:
                return None
            end = found.start()
            last_space = max((m.start() for m in _SPACE.finditer(text, closing, end)), default=-1)
        if text[end] == ")" and last_space >= closing:
            return text[closing:end]
    return None


# A link whose address has a space (not in <...>): CommonMark reads it as text, brackets and
# all. Its words may hold brackets one deep (`[see [1]](...)`), its address parentheses. A
# backslash before its `[` in the text is no escape: the text is unescaped, and that
# backslash was written `\\` (an escaped `[` is told by the backslashes before it as written,
# `_literal_links`), so `\\[b](x y)` is a link read as text, as `[b](x y)` is.
_SPACED_LINK = re.compile(
    r"(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*((?:[^()\s<]|\([^()\s]*\))(?:[^()\s]|\([^()\s]*\))*"
    r"(?:[ \t]+(?:[^()\s]|\([^()\s]*\))+)+)\s*\)"
)
# A link or image to a URL markdown-it refuses (`javascript:`, `vbscript:`, `file:`,
# `data:`): read as text, it would be published as `[x](javascript:...)`.
_ADDRESS_LIKE = re.compile(r"(?:[a-z][a-z0-9+.-]*:|www\.|\.{0,2}/)", re.IGNORECASE)
"""What starts an address (a scheme, `www.`, a path): `[sic](as written)` is words."""
_TITLED = re.compile(r"(.*?)\s+(\"[^\"]*\"|'[^']*')")


def _titled(address: str) -> tuple[str, str]:
    """An address as the spaced-link check reads it, and the link's title after it, if any
    (`https://e.example/a b "The report"`): the title is no part of what is encoded."""
    found = _TITLED.fullmatch(address)
    return (found.group(1), found.group(2)) if found else (address, "")


_NO_BRACKETS = str.maketrans("[]()", "____")


def _as_written(token: Token) -> str:
    """An inline token as its Markdown is written, near enough for the spaced-link check:
    text as it is, a line end as one, emphasis with its marks, a code span with its backticks
    and no bracket in it (what a code span holds is no link)."""
    if token.type == "text":
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type in ("em_open", "em_close", "strong_open", "strong_close"):
        return token.markup
    if token.type == "code_inline":
        return token.markup + token.content.translate(_NO_BRACKETS) + token.markup
    return ""


_REFUSED_LINK = re.compile(r"\]\(\s*(?:<\s*)?((?:javascript|vbscript|file|data):[^)\s>]*)", re.I)
"""(Its spaces before and after a `<` are two runs: `\\s*<?\\s*` split one run of them in every
way, and 100,000 spaces after a `](` took minutes, the square of their number.)"""

ItemLines = dict[tuple[int, int], SourceRef]
"""The line of each empty list item, by its list (`id()`) and its place in it."""
ImageLookup = Callable[[str], int | str | None]
"""Maps an image reference in the body (`images/chart.png`) to its index in `Story.images`,
or to what is wrong with it in words ("": a problem already reported; None: not listed)."""


def parse_body(
    text: str, where: SourceRef, find_image: ImageLookup, diags: Diagnostics
) -> tuple[Block, ...]:
    """Parse the Markdown `text`, whose first line is `where.line` of `where.path`."""
    if (unclosed := _unclosed_brackets(text)) > MAX_UNCLOSED:
        diags.error(
            "body.brackets",
            f"{unclosed} more [ than ] in the text, past the {MAX_UNCLOSED} a story may have:"
            " Markdown looks through the rest of the text for each one's ], and thousands take"
            " minutes to read; close them, or write a bracket that is only text as \\[",
            where,
        )
        return ()
    env: dict[str, Any] = {}
    tokens = _parser(text).parse(text, env)
    if (nested := env.get(_DEEP_BRACKETS)) is not None:
        deepest, line = nested
        diags.error(
            "body.brackets",
            f"[ nested {deepest} deep, past the {MAX_BRACKET_DEPTH} a story may have: Markdown"
            " looks through what each one holds for its ], once a level, and a text of such"
            " brackets takes a minute to read; close them sooner, or write a bracket that is"
            " only text as \\[",
            where.at(where.line + line),
        )
        return ()
    if notes := [r["map"] for label, r in env.get("references", {}).items() if label[:1] == "^"]:
        # A footnote's definition (`[^1]: Reuters`) is a link reference to CommonMark: the
        # marker became a link to it, or an error of a link the user never wrote. Read as
        # the text it is (its `[` escaped), the marker and the note are said as footnotes.
        lines = text.split("\n")
        blanks: dict[int, str] = {}  # (the line each goes before: added in one pass, as
        # inserted one by one, 100,000 notes took seconds, each moving the lines after it)
        for first, end in notes:
            quote = _QUOTE_MARKS.match(lines[first])
            lines[first] = _NOTE_START.sub(r"\1\\[", lines[first], count=1)
            # The note is a paragraph now, which would take in a link definition on the line
            # after it (`[ref]: https://...`: a definition cannot interrupt a paragraph) and
            # publish it as text, its links left unresolved: a blank line (in the note's
            # quote, if it is in one) ends the note.
            if end < len(lines) and lines[end].strip(" \t>"):
                blanks[end] = quote.group(1).rstrip() if quote else ""
        text = "\n".join(_with_lines(lines, blanks))
        env = {}
        tokens = _parser(text).parse(text, env)
        if blanks:
            _unshift(tokens, env, sorted(blanks))
    _soft_breaks(tokens)
    _unused_definitions(text, env, where, diags)
    builder = _TreeBuilder(where, find_image, diags)
    blocks, _ = builder.blocks(tokens, 0, closing=None)
    if not _check_depth(blocks, diags):
        return ()
    blocks = _with_text(blocks, diags, builder.item_lines, builder.refused)
    _check_characters(blocks, diags)
    for line, reference in env.get(_NOT_CHARACTERS, []):
        diags.error("text.entity", _not_a_character(reference), where.at(where.line + line))
    return tuple(blocks)


def _with_lines(lines: list[str], added: dict[int, str]) -> Iterator[str]:
    """`lines` with each line of `added` before the one at its place."""
    for at, line in enumerate(lines):
        if at in added:
            yield added[at]
        yield line


def _unshift(tokens: list[Token], env: dict[str, Any], blanks: list[int]) -> None:
    """The lines of `tokens` (and of the problems found while parsing) as the story's file
    numbers them, without the blank lines added at `blanks` (their places in the file, in
    order)."""
    added = [place + count for count, place in enumerate(blanks)]

    def line(at: int) -> int:
        return at - bisect.bisect_left(added, at)

    for token in tokens:
        if token.map:
            token.map = [line(token.map[0]), line(token.map[1])]
    if _NOT_CHARACTERS in env:
        env[_NOT_CHARACTERS] = [(line(at), ref) for at, ref in env[_NOT_CHARACTERS]]
    for definition in [*env.get("references", {}).values(), *env.get("duplicate_refs", [])]:
        definition["map"] = [line(at) for at in definition["map"]]
    env[_DEFINITION_LINES] = blanks


_USED = "syndicate:used-references"
"""Where `_Definitions` leaves the labels of the link definitions a link or image used."""
_DEFINITION_LINES = "syndicate:added-lines"
"""The blank lines `parse_body` added to the text (see `_unshift`), by their place in the file."""


class _Definitions(dict[str, Any]):
    """The link definitions (`[1]: https://...`) as the inline rules look them up, each label
    found noted: markdown-it keeps no record of which ones a link used."""

    def __init__(self, definitions: dict[str, Any], used: set[str]) -> None:
        super().__init__(definitions)
        self.used = used

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key, default)
        if found is not None:
            self.used.add(key)
        return found


def _note_used_definitions(state: StateCore) -> None:
    """A core rule run before the inline rules, which look the definitions up."""
    if "references" in state.env:
        used: set[str] = state.env.setdefault(_USED, set())
        state.env["references"] = _Definitions(state.env["references"], used)


_DEFINITION = re.compile(r"\[((?:[^\[\]\\]|\\.)+)\]:\s*(\S*)")


def _unused_definitions(
    text: str, env: dict[str, Any], where: SourceRef, diags: Diagnostics
) -> None:
    """A link definition no link refers to (`[1]: https://...`, a list of sources at the
    end) is published nowhere: Markdown reads it as the target of links, and it went from
    every channel in silence. Each said at its line, with the two ways to publish it; and a
    label defined again (Markdown keeps the first), at the later one's line."""
    used = env.get(_USED, set())
    lines = text.split("\n")
    added = env.get(_DEFINITION_LINES, [])

    def written(label: str, definition: dict[str, Any]) -> tuple[int, str, str, str]:
        """The definition's line in the body, its label and address as written, and both
        as shown in a message."""
        first = definition["map"][0]
        found = _DEFINITION.search(lines[first + bisect.bisect_right(added, first)])
        name, href = (found.group(1), found.group(2)) if found else (label, "")
        href = href.strip("<>") or str(definition.get("href", ""))
        shown = f"[{name}]: {shortened(href)}"
        return first, name, href, shown

    for label, definition in env.get("references", {}).items():
        if label in used or label[:1] == "^":  # (a footnote's note: said as one)
            continue
        first, name, href, shown = written(label, definition)
        diags.warning(
            "body.link-definition",
            f"a link definition ({shown}) that no text refers to: Markdown publishes it"
            f" nowhere (it only gives the address of links written [words][{name}]); to"
            f" publish it, write it as a list item with its link, - [words]({shortened(href)}), or"
            f" refer to it from the text with [words][{name}]",
            where.at(where.line + first),
        )
    for duplicate in env.get("duplicate_refs", []):
        label = duplicate["label"]
        if label[:1] == "^":
            continue
        first, name, _, shown = written(label, duplicate)
        kept = env["references"][label]
        kept_href = str(kept.get("href", ""))
        diags.warning(
            "body.link-definition",
            f"another link definition of the label [{name}] ({shown}): Markdown keeps the"
            f" first, at line {where.line + kept['map'][0]} ({shortened(kept_href)}),"
            f" so every [words][{name}] links there and this address is published nowhere;"
            " give this one a label of its own and refer to it, or remove it",
            where.at(where.line + first),
        )


_UNSPACED_WIDE = r"(?V1)[[\p{ea=W}\p{ea=F}\p{ea=H}]--[\p{sc=Hangul}\p{Extended_Pictographic}]]"
"""Characters a line may end and the next start with and no space between them: CSS Text 3's
segment break transformation (pandoc's `east_asian_line_breaks`), its East Asian wide,
full-width and half-width ones, Han, kana, CJK punctuation and full-width forms, that Chinese
and Japanese write without spaces. Not Hangul (Korean separates its words with spaces), nor
emoji, which are wide too."""
_AMBIGUOUS_MARK = r"(?V1)[\p{ea=A}&&[\p{P}\p{S}]]"
"""Punctuation and symbols of ambiguous East Asian width (`“ ” — …`): CSS Text 3 joins a line
ending or starting with one when the character across is one of `_UNSPACED_WIDE` (Chinese
writes `他说——` then `北约` on the next line as one run)."""


@cache
def _east_asian() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """`_UNSPACED_WIDE` and `_AMBIGUOUS_MARK` compiled, by the `regex` module (the standard
    library's knows no East Asian width): imported and compiled only for a line end beside a
    character that is not ASCII, which a body in English alone never has (12 ms of a run)."""
    import regex

    return regex.compile(_UNSPACED_WIDE), regex.compile(_AMBIGUOUS_MARK)


_RAW_BREAK = re.compile(r"<br[\s/>]", re.IGNORECASE)
_ZWSP = "\u200b"


def _unspaced(before: str, after: str) -> bool:
    """Whether a line end between these two characters stands for nothing: both East Asian
    wide, or one wide and the other an ambiguous-width mark (CSS Text 3, 4.1.3). No ASCII
    character is either: two of them (or none) are a space, as CommonMark has it."""
    if before.isascii() and after.isascii():
        return False
    unspaced_wide, ambiguous_mark = _east_asian()
    wide_before, wide_after = bool(unspaced_wide.match(before)), bool(unspaced_wide.match(after))
    return (wide_before and wide_after) or (
        (wide_before and bool(ambiguous_mark.match(after)))
        or (wide_after and bool(ambiguous_mark.match(before)))
    )


def _soft_breaks(tokens: list[Token]) -> None:
    """Give each soft break (the end of a line inside a paragraph) the text it stands for: a
    space, as CommonMark has it, or nothing between two East Asian wide characters
    (`驻伊拉克的` ending a line, `军事人员` starting the next: one word run, not `的 军`), beside a
    zero-width space, or beside a raw `<br>` (whose line it ends, as a hard break does)."""
    for token in tokens:
        children = token.children or []
        for at, child in enumerate(children):
            if child.type == "softbreak":
                before = _next_character(children, range(at - 1, -1, -1), -1)
                after = _next_character(children, range(at + 1, len(children)), 0)
                joined = (
                    _ZWSP in (before, after) or "<br" in (before, after) or _unspaced(before, after)
                )
                child.content = "" if joined else " "


def _next_character(children: list[Token], places: range, end: int) -> str:
    """The character of the text nearest a soft break, in `places` (its `end`: -1 the last, 0
    the first), past the tags around it (`的</em>`); "<br" for a raw `<br>`, "" for none (the
    run's end, another break, an image)."""
    for at in places:
        child = children[at]
        if child.type == "text" and not child.content:
            continue  # (markdown-it leaves empty texts beside `**`'s marks)
        if child.type in ("text", "code_inline") and child.content:
            return child.content[end]
        if child.type == "html_inline" and _RAW_BREAK.match(child.content):
            return "<br"
        if child.nesting == 0 and child.type != "html_inline":
            return ""
    return ""


MAX_UNCLOSED = 500
"""The most `[` a body may have beyond its `]`: markdown-it looks for each one's `]` through
the rest of the text, about a tenth of a millisecond each time, so a pasted or generated
text of thousands (`![a![a![a...`, a 2 MiB file at the text budget) would take minutes to
read. A story's own text has a handful at most."""


MAX_BRACKET_DEPTH = 16
"""The deepest `[` may nest in a body (`[see [1]]` is 2 deep). markdown-it looks through what
each `[` holds for its `]`, once for each level it is in (up to its `maxNesting`, 100): a
megabyte of brackets nested 100 deep took 34 s to read, 16 deep 6 s, as long as the most
costly ordinary markup (a megabyte of `**b**`). A story's own text nests them 2 deep at most."""
_BRACKET = re.compile(r"\\.|[\[\]]", re.DOTALL)
_DEEP_BRACKETS = "syndicate:deep-brackets"


def _find_deep_brackets(state: StateCore) -> None:
    """Before markdown-it reads a block's text (its `inline` rule), the depth of its brackets
    (`_nested_brackets`): a block's past `MAX_BRACKET_DEPTH` is noted, with its depth and its
    line, and no block's text is read, as `parse_body` refuses the body. Counted in each
    block's text, as markdown-it pairs them: a code block's and an HTML block's brackets are
    not looked through, nor are two paragraphs' paired. (A code span's count: markdown-it
    would not nest them, but its backticks may be an HTML tag's, a link address's or an
    autolink's, `<a title="`">`, and a text skipped to the next one would be read unbounded.)"""
    if state.src.count("[") <= MAX_BRACKET_DEPTH:
        return  # (most bodies: too few to nest so deep)
    for token in state.tokens:
        if token.type == "inline" and (nested := _nested_brackets(token.content)):
            deepest, at = nested
            line = (token.map[0] if token.map else 0) + token.content.count("\n", 0, at)
            state.env[_DEEP_BRACKETS] = (deepest, line)
            for block in state.tokens:
                block.content = "" if block.type == "inline" else block.content
            return


def _nested_brackets(text: str) -> tuple[int, int] | None:
    """How deep the `[` of a block's text nest in the `]` that close them (those escaped as
    text, `\\[`, aside; one never closed holds nothing, as `MAX_UNCLOSED` has it), and where
    the first one past `MAX_BRACKET_DEPTH` is, if any is; None if none is."""
    if text.count("[") <= MAX_BRACKET_DEPTH:
        return None
    marks = [(found.start(), found.group()) for found in _BRACKET.finditer(text)]
    marks = [(at, mark) for at, mark in marks if len(mark) == 1]
    closed = [False] * len(marks)
    opened: list[int] = []
    for place, (_, mark) in enumerate(marks):
        if mark == "[":
            opened.append(place)
        elif opened:
            closed[opened.pop()] = closed[place] = True
    level = deepest = 0
    first = -1
    for (at, mark), pair in zip(marks, closed, strict=True):
        if not pair:
            continue
        level += 1 if mark == "[" else -1
        if level > deepest:
            deepest = level
            if level > MAX_BRACKET_DEPTH and first < 0:
                first = at
    return (deepest, first) if first >= 0 else None


def _unclosed_brackets(text: str) -> int:
    """How many more `[` than `]` a text has, those escaped as text (`\\[`) aside."""
    opened = text.count("[") - text.count("\\[")
    return opened - (text.count("]") - text.count("\\]"))


_NOT_CHARACTERS = "syndicate:not-characters"
"""Where `_find_not_characters` leaves the (line, reference) of each it found."""


def _find_not_characters(state: StateCore) -> None:
    """A core rule run before the text runs are joined: a numeric reference to no character
    XML takes (`&#146;`, `&#1;`, `&#xD800;`) is read by markdown-it as U+FFFD, and would be
    published as "\ufffd" in every channel with no word. Each is noted with its line: the
    block's, plus the lines before the reference's place in the block's text (the first
    place from the last one found, as the references come in order; its lines counted from
    there too: counted from the block's start, 200,000 of them in a paragraph took 19 s)."""
    for token in state.tokens:
        after = lines = 0
        for child in token.children or ():
            if (
                child.type == "text_special"
                and child.info == "entity"
                and child.content == "\ufffd"
                and _code_of(child.markup) != 0xFFFD
            ):
                at = token.content.find(child.markup, after)
                if at >= 0:
                    lines += token.content.count("\n", after, at)
                    after = at + len(child.markup)
                line = (token.map[0] if token.map else 0) + lines
                state.env.setdefault(_NOT_CHARACTERS, []).append((line, child.markup))


def _code_of(reference: str) -> int:
    """The number a numeric character reference (`&#146;`, `&#x92;`) gives."""
    digits = reference[2:-1]
    return int(digits[1:], 16) if digits[:1] in "xX" else int(digits)


def _not_a_character(reference: str) -> str:
    code = _code_of(reference)
    if 0x80 <= code <= 0x9F:  # Windows-1252's codes, which browsers read as its characters
        meant = bytes([code]).decode("cp1252", errors="replace")
        if meant != "\ufffd":
            return (
                f"{reference} is not a character: {code} is a code of Windows-1252, which"
                " Markdown publishes as the replacement character \ufffd (U+FFFD) in every"
                f" channel; write the character itself: {meant} (U+{ord(meant):04X})"
            )
    return (
        f"{reference} names no printable character (a control code, a surrogate or a"
        " noncharacter), and Markdown publishes it as the"
        " replacement character \ufffd (U+FFFD) in every channel; remove it, or write the"
        " character meant"
    )


def _left_out(block: Block, diags: Diagnostics, line: SourceRef | None = None) -> None:
    """The warning for a block with no text, left out: every channel would publish it empty
    (`<h2/>`, `<blockquote/>`, `<li/>`, a paragraph of a line break; a bare "-" and blank lines
    in plain text). A list (`block`) is said for an item of it, at the item's `line`."""
    match block:
        case Heading():
            what, fix = "a heading with no words", "write its words"
        case BlockQuote():
            what, fix = "a quote with nothing in it", "write what it quotes"
        case ListBlock(ordered):
            mark = "1." if ordered else "-"
            what, fix = f'a list item with nothing in it (a bare "{mark}")', "write its text"
        case _:
            what = "a paragraph of nothing but white space or line breaks"
            fix = "write its text"
    diags.warning(
        "body.empty",
        f"{what} is left out: every channel would publish it empty; {fix}, or delete it",
        line or block.source,
    )


def _with_text(
    blocks: list[Block] | tuple[Block, ...],
    diags: Diagnostics,
    item_lines: ItemLines,
    refused: Collection[object] = (),
) -> list[Block]:
    """The blocks without those that hold no text, each said (`_left_out`): a paragraph of
    white space or line breaks (`&nbsp;` or `<br>` alone), a heading with no words, a quote
    or a list item with nothing in it (at its line, from `item_lines`; raw HTML's `<li></li>`
    at its list's), Markdown's or raw HTML's. A quote, item or list whose blocks were all left
    out goes with them, said once (for what was in it); one that held only what was `refused`
    (an image not listed, a script), said already, goes unsaid. Done once the depth is
    checked: a quote markdown-it left empty at its nesting limit is an error of that, not a
    warning."""
    out: list[Block] = []
    for block in blocks:
        match block:
            case Paragraph(children) | Heading(_, children) if _blank(children):
                _left_out(block, diags)
                continue
            case BlockQuote(children):
                kept = _with_text(children, diags, item_lines, refused)
                if not kept:
                    if not children and id(block) not in refused:
                        _left_out(block, diags)
                    continue
                if not _same(kept, children):
                    block = BlockQuote(tuple(kept), block.source)
            case ListBlock(items=items):
                kept_items: list[tuple[Block, ...]] = []
                changed = False
                for at, item in enumerate(items):
                    kept = _with_text(item, diags, item_lines, refused)
                    if not item and (id(block), at) not in refused:
                        _left_out(block, diags, item_lines.get((id(block), at)))
                    changed = changed or not kept or not _same(kept, item)
                    if kept:
                        kept_items.append(tuple(kept))
                if not kept_items:
                    continue
                if changed:
                    block = dataclasses.replace(block, items=tuple(kept_items))
        out.append(block)
    return out


def _same(kept: list[Block], blocks: tuple[Block, ...]) -> bool:
    """Whether `_with_text` kept the blocks as they were (the same objects, none left out)."""
    return len(kept) == len(blocks) and all(a is b for a, b in zip(kept, blocks, strict=True))


def _blank(nodes: tuple[Inline, ...] | list[Inline]) -> bool:
    """Whether inline nodes show no text: white space, zero-width and other invisible
    characters (a soft hyphen, U+200B, a byte order mark: `VISIBLE`, as story.yaml's texts)
    and line breaks, emphasised or not (a link with no words is not: it is an error of its
    own)."""
    for node in nodes:
        match node:
            case Text(text) | Code(text):
                if VISIBLE.search(text):
                    return False
            case LineBreak():
                pass
            case (
                Emphasis(children) | Strong(children) | Superscript(children) | Subscript(children)
            ):
                if not _blank(children):
                    return False
            case _:
                return False
    return True


def _check_depth(blocks: list[Block], diags: Diagnostics) -> bool:
    """Whether every block nests no deeper than `MAX_DEPTH`; an error at the first that does
    (its text would be cut, or stop an output's writer, past it)."""
    for block in blocks:
        found = depth(block)
        if found > MAX_DEPTH:
            diags.error("body.nesting", _too_deep(found), block.source)
            return False
    return True


def _too_deep(found: int, what: str = "lists, quotes or inline markup") -> str:
    return (
        f"{what} nested {found} deep, past the {MAX_DEPTH} a story may"
        " take: parsers, templates and e-readers stop there, and what is below would be lost or"
        " stop the export; flatten it (a list of a few levels, one quote)"
    )


def _check_characters(blocks: list[Block], diags: Diagnostics) -> None:
    """Characters XML forbids that an entity wrote (`&#12;`, in Markdown or raw HTML): the
    file's own text was checked when it was read, the decoded text is checked here."""
    for block in walk(blocks):
        if isinstance(block, Paragraph | Heading):
            for text in _strings(block.children):
                if holds_forbidden(text) and (found := XML_FORBIDDEN.search(text)):
                    diags.error(
                        "text.control-char",
                        f"character U+{ord(found.group()):04X} (written as an entity, e.g."
                        " &#12;) is not allowed in XML; remove it",
                        block.source,
                    )
                    break


def _strings(nodes: tuple[Inline, ...]) -> Iterator[str]:
    for node in nodes:
        match node:
            case Text(text) | Code(text):
                yield text
            case Link(href, children, title):
                yield href
                yield title or ""
                yield from _strings(children)
            case (
                Emphasis(children) | Strong(children) | Superscript(children) | Subscript(children)
            ):
                yield from _strings(children)


_RELATIVE_HREF = re.compile(r"relative URL ('.*'|\".*\") in href ")
"""The sanitiser's words for a link it removed for its URL (the URL as Python writes it)."""
_SHORTCODE_START = re.compile(r"\{\{[<%]")
_SHORTCODE_END = re.compile(r"[%>]\}\}")


def _shortcode(text: str) -> str | None:
    """The first Hugo shortcode, `{{< youtube id >}}` or `{{% note %}}` (no other tool reads
    it), from its first start to the first end after it; None if there is none. One pattern
    for both, `{{[<%].*?[%>]}}`, looked for the end from every start: 100,000 characters of
    `{{<` with no end took 9 s (the square of their number). With no end after the first
    start, there is none after a later one."""
    if (start := _SHORTCODE_START.search(text)) is None:
        return None
    end = _SHORTCODE_END.search(text, start.end())
    return text[start.start() : end.end()] if end else None


_STRUCK = re.compile(
    r"~~[^~\s][^~]*~~|<(?:del|s|strike)[\s>]"
    r"|\sstyle\s*=\s*(?:\"[^\"]*|'[^']*|[^\s>]*)line-through",
    re.IGNORECASE,
)
"""Struck-out text, Markdown's `~~4~~`, HTML's `<del>` or a `line-through` style: every
channel but a styled page would publish it as current text."""


def _struck(text: str) -> bool:
    """Whether `_STRUCK` finds struck-out text in `text`; looked for only in a text that holds
    what each of its branches needs written as it is (`~~`, `<`, or a style's `=` and the `-`
    of `line-through`): a branch that opens with a space gives the pattern no first character to
    skip to, and it was tried at every character of every paragraph."""
    return ("~~" in text or "<" in text or ("=" in text and "-" in text)) and bool(
        _STRUCK.search(text)
    )


_TABLE_RULE = re.compile(r"\s*(?:\|\s*)?:?-+:?\s*(?:\|\s*:?-+:?\s*)*(?:\|\s*)?")
"""A table's rule, `|---|:-:|`. (A space after an optional `|` is in the same group as it:
`\\s*\\|?\\s*` split a run of spaces in every way, and a line of 100,000 spaces under a
line with a `|` took minutes, the square of their number.)"""
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_NOTE_START = re.compile(r"^([ \t>*+\-0-9.)]*)\[")
"""The `[` that starts a footnote's note, after the marks of the quotes and list items it is
in (`> [^1]: ...`, `- [^1]: ...`, `1. > [^1]: ...`), which hold no `[`."""
_QUOTE_MARKS = re.compile(r"^((?:[ \t]{0,3}>[ \t]?)*)")
"""The marks of the quotes a line is in: a blank line that stays in them."""
_FOOTNOTE_NOTE = re.compile(r"\\?(\[\^[^\]\s]+\]):")
"""A footnote's note, `[^1]: ...` (its `[` escaped: see `parse_body`)."""


_RUNS_TO_ITS_END = (
    (
        re.compile(r"<(script|pre|style|textarea)(?=[\s>]|\Z)", re.IGNORECASE),  # (its name)
        re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE),
        "a <{}> element",
        "</{}>",
    ),
    (re.compile(r"<!--"), re.compile(r"-->"), "an HTML comment (<!--)", "-->"),
    (re.compile(r"<\?"), re.compile(r"\?>"), "a processing instruction (<?)", "?>"),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), "a CDATA section (<![CDATA[)", "]]>"),
    (re.compile(r"<![A-Za-z]+"), re.compile(r">"), "a declaration ({})", ">"),
)
"""The HTML blocks CommonMark ends at an end marker, not at a blank line (its types 1 to 5):
how each starts, the marker that ends it, and what it is in words (`{}`: the element's name,
or the declaration's start, `<!DOCTYPE`). With no marker after it, a block runs on to the
end of the document (or of the quote or list item it is in), every line in it raw HTML."""


def _runs_to_its_end(line: str) -> tuple[re.Match[str], re.Pattern[str], str, str] | None:
    """The kind of HTML block a line starts that ends at its end marker: how it starts (as
    found), its end marker, what it is and what closes it (`_RUNS_TO_ITS_END`); or None."""
    for start, end, what, close in _RUNS_TO_ITS_END:
        if found := start.match(line):
            return found, end, what, close
    return None


class _TreeBuilder:
    def __init__(self, where: SourceRef, find_image: ImageLookup, diags: Diagnostics) -> None:
        self.where = where
        self.find_image = find_image
        self.diags = diags
        self.level = 1
        """The level of the last heading: the headline's, 1, before the first."""
        self.item_lines: ItemLines = {}
        self.refused: set[object] = set()
        """The quotes (`id()`) and list items (their list's `id()` and place) that held only
        what was refused, each said: left out of the body with no `body.empty` besides."""

    def _unsupported_text(self, text: str, ref: SourceRef) -> None:
        """Markdown that CommonMark reads as plain text (a table, a footnote): published as
        written, pipes and markers included, so said."""
        lines = text.split("\n")
        if len(lines) >= 2 and "|" in lines[0] and _TABLE_RULE.fullmatch(lines[1]):
            self.diags.warning(
                "body.table",
                "a Markdown table: stories take no tables, so it would be published as this text,"
                " pipes and all; write it as a list, or as an image with its data in the alt text",
                ref,
            )
        elif found := _FOOTNOTE_NOTE.match(text):
            self.diags.warning(
                "body.footnote",
                f"a footnote ({found.group(1)}): stories take no footnotes, so its note would be"
                " published as a paragraph of its own, as written; put the note in the text",
                ref,
            )
        elif found := _FOOTNOTE.search(text):
            self.diags.warning(
                "body.footnote",
                f"a footnote marker ({found.group()}): stories take no footnotes, so it would be"
                " published as written; put the note in the text",
                ref,
            )

    def _foreign(self, text: str, ref: SourceRef) -> None:
        """Markup of other tools that no channel would show as meant: errors, so a migrated
        archive is fixed rather than published with it as text."""
        if found := _shortcode(text):
            shown = shortened(found, 40)
            self.diags.error(
                "body.shortcode",
                f"a Hugo shortcode ({shown}): it would be published as written; replace it with"
                " a link, or an image listed under images: in story.yaml",
                ref,
            )
        if _struck(text):
            self.diags.error(
                "body.strikethrough",
                "struck-out text (~~...~~, <del> or a line-through style): feeds, wire partners"
                " and e-readers drop the styling, so it would read as current; say the change in"
                " words, or give the story a correction: in story.yaml",
                ref,
            )

    def _unclosed(self, tok: Token, ref: SourceRef) -> bool:
        """Whether an HTML block runs on for want of its end marker (`<!--` with no `-->`),
        taking in the lines after it: an error at its line, so that the story is not
        published cut short (every channel stopped there, with a warning of a comment
        removed at most). One with no line after it is removed, and said, as a closed one. A
        declaration's `>` is any `>` (a quote's mark): it is to end the declaration's line."""
        opening, _, rest = tok.content.partition("\n")
        kind = _runs_to_its_end(opening.lstrip())
        taken = rest.rstrip().count("\n") + 1 if rest.strip() else 0
        if kind is None or not taken:
            return False  # a block that ends at a blank line; or one that takes nothing
        found, end, what, close = kind
        if end.search(opening):
            return False
        name = found.group(1) if found.groups() else found.group()
        what, close = what.format(name), close.format(name)
        if end.search(rest):
            if close != ">":
                return False  # closed further down: a comment over several lines
            to = f"the first > after it (line {ref.line + taken})"
            unclosed = f"{what} with no {close} on its line"
        else:
            to = "the end of the story" if tok.level == 0 else "the end of its quote or list item"
            unclosed = f"{what} that is never closed (no {close} after it)"
        lines, them = ("lines", "they") if taken > 1 else ("line", "it")
        lost = (
            f"{them} would be published as text, Markdown marks and all"
            if name.lower() == "pre"  # (its tag removed, its text kept: one paragraph)
            else f"{'none of them' if taken > 1 else 'it'} would {'' if taken > 1 else 'not '}"
            "be published"
        )
        self.diags.error(
            "body.unclosed-html",
            f"{unclosed}: Markdown reads the {taken} {lines} after it, up to {to}, as raw"
            f" HTML, and {lost}; close it with {close}"
            f" {'on its line' if close == '>' else 'where it ends'}, or remove it (a < that is"
            " only text is written &lt; or \\<)",
            ref,
        )
        return True

    def ref(self, token: Token) -> SourceRef:
        return self.where.at(self.where.line + (token.map[0] if token.map else 0))

    def blocks(self, tokens: list[Token], i: int, closing: str | None) -> tuple[list[Block], int]:
        """Blocks from `tokens[i]` up to the token of type `closing`; returns the index after it."""
        out: list[Block] = []
        while i < len(tokens):
            tok = tokens[i]
            if closing is not None and tok.type == closing:
                return out, i + 1
            if tok.type == "html_block":  # may hold several blocks
                ref = self.ref(tok)
                if self._unclosed(tok, ref):
                    i += 1
                    continue
                self._foreign(tok.content, ref)
                out.extend(_html_blocks(self.sanitized(tok.content, ref), ref))
                i += 1
                continue
            if tok.type == "paragraph_open":
                self._foreign(_outside_code(tokens[i + 1]), self.ref(tok))
            if tok.type == "paragraph_open" and _has_raw_html(tokens[i + 1]):
                # Read as the HTML it is: block tags in it become blocks of their own (not lost
                # text), and a paragraph whose HTML was all removed becomes nothing.
                ref = self.ref(tok)
                self._unsupported_text(tokens[i + 1].content, ref)
                self._literal_links(tokens[i + 1], ref)
                out.extend(_html_blocks(self.sanitized(_render(tokens[i + 1]), ref), ref))
                i += 3
                continue
            block, i = self.block(tokens, i)
            if block is not None:
                out.append(block)
        return out, i

    def block(self, tokens: list[Token], i: int) -> tuple[Block | None, int]:
        tok = tokens[i]
        ref = self.ref(tok)
        match tok.type:
            case "paragraph_open":
                inline = tokens[i + 1]
                self._unsupported_text(inline.content, ref)
                return self.paragraph(inline, ref), i + 3
            case "heading_open":
                level = int(tok.tag[1])
                inline = tokens[i + 1]
                self._literal_links(inline, ref)
                title = self.inlines(inline.children or [], ref)
                if _has_raw_html(inline):
                    title = _html_inlines(self.sanitized(_render(inline), ref), ref)
                if _blank(title):
                    if not title and inline.children and not _has_raw_html(inline):
                        return None, i + 3  # an image, or too deep: said
                    # `##` alone, `## &nbsp;`, `## <br>`: left out, and said, with the other
                    # blocks of no text (`_with_text`); the next heading's level is told
                    # against the one before it
                    return Heading(max(level, 2), tuple(title), ref), i + 3
                if level == 1:
                    self.diags.error(
                        "body.heading",
                        "a level-1 heading in the body; the headline is in the front matter,"
                        " use ## for subheadings",
                        ref,
                    )
                elif level > self.level + 1:
                    above = "the headline" if self.level == 1 else f"a level-{self.level} heading"
                    self.diags.warning(
                        "body.heading-level",
                        f"a level-{level} heading under {above} skips a level, which breaks the"
                        f" outline screen readers move through; write it {'#' * (self.level + 1)}",
                        ref,
                    )
                self.level = max(level, 2)
                return Heading(max(level, 2), tuple(title), ref), i + 3
            case "blockquote_open":
                quoted, j = self.blocks(tokens, i + 1, "blockquote_close")
                quote = BlockQuote(tuple(quoted), ref)
                if not quoted and j - i > 2:  # what it held was refused, and said so
                    self.refused.add(id(quote))
                return quote, j
            case "bullet_list_open" | "ordered_list_open":
                return self.list_block(tokens, i, ref)
            case "hr":
                return ThematicBreak(ref), i + 1
            case "fence" | "code_block":
                # The fence as written (``` or ~~~, three or more), and the closing one if it
                # has one (its lines past its text's); an indented block has none.
                fences = (tok.map[1] - tok.map[0] if tok.map else 2) - tok.content.count("\n")
                fix = (
                    f"remove the {tok.markup} fence{'s around it' if fences > 1 else ' before it'}"
                    if tok.type == "fence"
                    else "indent its text by less than 4 spaces"
                )
                self.diags.error(
                    "body.unsupported", f"code blocks are not supported in stories; {fix}", ref
                )
                return None, i + 1
            case _:
                self.diags.error("body.unsupported", f"unsupported Markdown ({tok.type})", ref)
                return None, i + 1

    def list_block(self, tokens: list[Token], i: int, ref: SourceRef) -> tuple[Block, int]:
        opening = tokens[i]
        close = opening.type.replace("_open", "_close")
        ordered = opening.type == "ordered_list_open"
        items: list[tuple[Block, ...]] = []
        empty: list[tuple[int, SourceRef]] = []  # (left out, and said, by `_with_text`)
        refused: list[int] = []  # (left out by `_with_text`, said already)
        j = i + 1
        while tokens[j].type != close:
            # list_item_open: its blocks run to list_item_close; tight lists hide paragraphs
            item = self.ref(tokens[j])
            children, j = self.blocks(tokens, j + 1, "list_item_close")
            if not children and tokens[j - 2].type == "list_item_open":  # `- ` alone
                empty.append((len(items), item))
            elif not children:  # what it held was refused, and said so
                refused.append(len(items))
            items.append(tuple(children))
        given = opening.attrGet("start") if opening.type == "ordered_list_open" else None
        start = int(given) if given is not None else 1  # `0.` starts at 0
        # markdown-it hides the paragraphs of a tight list's items (its own items' only)
        level = opening.level + 2
        tight = any(
            t.type == "paragraph_open" and t.hidden and t.level == level for t in tokens[i:j]
        )
        listed = ListBlock(ordered, tuple(items), ref, start, tight)
        self.item_lines.update(((id(listed), at), line) for at, line in empty)
        self.refused.update((id(listed), at) for at in refused)
        return listed, j + 1

    def paragraph(self, inline: Token, ref: SourceRef) -> Block | None:
        children = inline.children or []
        images = [c for c in children if c.type == "image"]
        if images and _linked_image(children):
            self.diags.error(
                "body.figure",
                "an image inside a link: a figure cannot be a link (every channel but the web"
                " page would drop the link); put the link in a paragraph after the image",
                ref,
            )
            return None
        if images:
            others = [c for c in children if c.type != "image" and (c.content or "").strip()]
            if len(images) > 1 or others:
                self.diags.error(
                    "body.figure",
                    "an image must stand in a paragraph of its own (one image, no text): put a"
                    " blank line before and after it; its caption goes under `images:` in"
                    " story.yaml",
                    ref,
                )
                return None
            src = str(images[0].attrGet("src") or "")
            found = self.find_image(src)
            if found == "":
                return None
            if not isinstance(found, int):
                self.diags.error(
                    "body.image",
                    found
                    or f"image {src!r} is not listed under images: in story.yaml; add it there"
                    " with its alt text, caption and credit",
                    ref,
                )
                return None
            return Figure(found, ref)
        self._literal_links(inline, ref)
        inlines = self.inlines(children, ref)
        if not inlines:
            return None  # too deep: said
        # `&nbsp;` alone, a spacer, is no paragraph (an empty <p> in every channel): it is
        # left out, said, with the other blocks of no text (`_with_text`)
        return Paragraph(tuple(inlines), ref)

    def _literal_links(self, inline: Token, ref: SourceRef) -> None:
        """Links and images CommonMark read as text, which every channel would publish as
        their Markdown (`[the report](https://e.example/a b.pdf)`): each one said."""
        children = inline.children or []
        for child in children:
            if child.type != "text" or "](" not in child.content:
                continue  # (each of them needs a `](`: most texts are looked at once)
            if (spaced := _spaced_image(child.content)) is not None:
                self.diags.error(
                    "body.image",
                    f"an image path with a space is read as text: write it in angle brackets,"
                    f" ![](<{spaced}>)",
                    ref,
                )
            for refused in _REFUSED_LINK.finditer(child.content):
                self.diags.error(  # each of them: one fix and run clears them all
                    "body.link",
                    f"a link to {shortened(refused.group(1), quote=repr)} would be published as"
                    " its Markdown text: a link must be an absolute http(s):// or mailto: URL,"
                    " an image one listed under images: in story.yaml",
                    ref,
                )
        if "](" not in inline.content:
            return
        # The link's words may run over lines or hold emphasis or code: looked for in the
        # text as written (`_as_written`).
        written = "".join(_as_written(child) for child in children)
        after = lines = 0  # (each looked for, and its line counted, from the one before)
        for found in _SPACED_LINK.finditer(written):
            address, at = found.group(2), inline.content.find(found.group(), after)
            if _REFUSED_LINK.search(f"]({address}") or at < 0:
                continue  # said above; or written escaped (`\\[x\\](a b)`), text meant
            lines += inline.content.count("\n", after, at)
            line = ref.line + lines
            lines += found.group().count("\n")  # (its words may run over lines)
            after = at + len(found.group())
            slashes = at
            while slashes > 0 and inline.content[slashes - 1] == "\\":
                slashes -= 1
            if (at - slashes) % 2:
                continue  # its `[` written escaped (`\\[x](a b)`), as the message asks: text
            if not _ADDRESS_LIKE.match(address):
                continue  # `[sic](as written)`, `[1](Smith 2020)`: words in brackets
            url, title = _titled(address)
            encoded = url.replace(" ", "%20") + (f" {title}" if title else "")
            self.diags.error(
                "body.link",
                f"a link to {shortened(url, quote=repr)} would be published as its Markdown"
                " text: an address cannot hold a space; write each space as %20"
                f" ({shortened(encoded, 80, repr)}), or put the address in angle brackets,"
                " [...](<address>); if it is no link, write its bracket \\[",
                ref.at(line),  # its own line
            )

    def sanitized(self, fragment: str, ref: SourceRef) -> str:
        """The fragment sanitised, with a warning for each kind of thing removed."""
        from syndicate.readers.rawhtml import NOT_AN_ELEMENT, TABLE, html_depth, sanitize

        if (deep := html_depth(fragment)) > MAX_HTML_DEPTH:
            # The sanitiser's time grows with the square of the nesting (minutes, in native
            # code that Ctrl-C cannot stop, for 300,000 <div>s), and the body would be
            # refused for its depth once sanitised: refused before.
            self.diags.error("body.nesting", _too_deep(deep, "raw HTML elements"), ref)
            return ""
        result = sanitize(fragment)
        for what in result.removed:
            relative = _RELATIVE_HREF.match(what)
            if relative and ":" not in ast.literal_eval(relative.group(1)).split("/")[0]:
                # As a Markdown link to one: the words would stay, the link silently gone.
                self.diags.error(
                    "body.link",
                    f"raw HTML: {what.removesuffix(' (use an absolute URL)')}: a link must be"
                    " an absolute http(s):// or mailto: URL",
                    ref,
                )
            elif what.endswith(NOT_AN_ELEMENT):
                # Its text is the word in the brackets, which goes with the tag.
                tag = what.removesuffix(NOT_AN_ELEMENT)
                word = tag.strip("</>")
                self.diags.error(
                    "body.unknown-tag",
                    f"raw HTML: {tag} is no HTML element: a word in angle brackets is read as"
                    f" a tag and removed, so {word!r} would not be published; write it"
                    f" \\{tag} or {tag.replace('<', '&lt;').replace('>', '&gt;')}",
                    ref,
                )
            elif what == TABLE:
                self.diags.warning(
                    "body.table",
                    "an HTML table: stories take no tables, so only its text would be published,"
                    " a paragraph per row; write it as a list, or as an image with its data in"
                    " the alt text",
                    ref,
                )
            else:
                self.diags.warning("html.removed", f"raw HTML: removed {what}", ref)
        return result.html

    def inlines(self, tokens: list[Token], ref: SourceRef) -> list[Inline]:
        # Measured before the tree is built, which recurses once a level: a thousand nested
        # emphases (`*a *a *a ...`) ran out of Python's stack.
        level = deepest = 0
        for token in tokens:
            level += token.nesting
            deepest = max(deepest, level)
        if deepest > MAX_INLINE_DEPTH:
            self.diags.error("body.nesting", _too_deep(deepest), ref)
            return []
        out, _ = self._inlines(tokens, 0, None, ref)
        return _merge_text(out)

    def _inlines(
        self, tokens: list[Token], i: int, closing: str | None, ref: SourceRef
    ) -> tuple[list[Inline], int]:
        out: list[Inline] = []
        while i < len(tokens):
            tok = tokens[i]
            if closing is not None and tok.type == closing:
                return out, i + 1
            i += 1
            match tok.type:
                case "text":
                    out.append(Text(tok.content))
                case "softbreak":  # a space, or nothing (`_soft_breaks`)
                    if tok.content:
                        out.append(Text(tok.content))
                case "hardbreak":
                    out.append(LineBreak())
                case "code_inline":
                    out.append(Code(tok.content))
                case "em_open":
                    children, i = self._inlines(tokens, i, "em_close", ref)
                    out.append(Emphasis(tuple(_merge_text(children))))
                case "strong_open":
                    children, i = self._inlines(tokens, i, "strong_close", ref)
                    out.append(Strong(tuple(_merge_text(children))))
                case "link_open":
                    children, i = self._inlines(tokens, i, "link_close", ref)
                    href = link_href(str(tok.attrGet("href") or ""))
                    title = tok.attrGet("title")
                    if not href.startswith(LINK_SCHEMES):
                        self.diags.error(
                            "body.link",
                            f"link {href!r} must be an absolute http(s):// or mailto: URL",
                            ref,
                        )
                        out.extend(children)
                    else:
                        words = tuple(_merge_text(children))
                        if not any(not isinstance(n, Text) or n.text.strip() for n in words):
                            self.diags.error(
                                "body.link",
                                f"a link to {href!r} with no words: readers, and screen"
                                " readers, have nothing to follow; write them in the brackets",
                                ref,
                            )
                        out.append(Link(href, words, str(title) if title else None))
                case "image":
                    self.diags.error(
                        "body.figure",
                        "an image must stand in a paragraph of its own, not in a heading: put"
                        " it on its own line, between blank lines",
                        ref,
                    )
                case _:
                    out.append(Text(tok.content))
        return out, i


def _linked_image(children: list[Token]) -> bool:
    """Whether an image stands inside a link (`[![alt](a.png)](https://...)`)."""
    depth = 0
    for child in children:
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
        elif child.type == "image" and depth:
            return True
    return False


def _outside_code(inline: Token) -> str:
    """A paragraph's source without its code spans: markup quoted in `code` is text."""
    return "".join(
        child.content
        for child in inline.children or []
        if child.type in ("text", "html_inline", "softbreak")
    )


def _has_raw_html(inline: Token) -> bool:
    """Raw HTML and no Markdown image (which gets the figure rules, not the sanitiser's)."""
    types = {c.type for c in inline.children or []}
    return "html_inline" in types and "image" not in types


def _html_blocks(clean: str, ref: SourceRef) -> list[Block]:
    """Sanitised raw HTML as blocks (`rawhtml.html_blocks`). The sanitiser's module, with
    nh3, lxml.html and their patterns, is imported by the first body that holds raw HTML,
    as `sanitized` imports it: most hold none (docs/performance.md, "The thirty-fourth
    round")."""
    from syndicate.readers.rawhtml import html_blocks

    return html_blocks(clean, ref)


def _html_inlines(clean: str, ref: SourceRef) -> list[Inline]:
    """Sanitised raw HTML as inlines (`rawhtml.html_inlines`), imported as `_html_blocks`."""
    from syndicate.readers.rawhtml import html_inlines

    return html_inlines(clean, ref)


def _render(inline: Token) -> str:
    """An inline run with raw HTML, as HTML, for the sanitiser."""
    return str(_HTML_RENDERER.renderInline(inline.children or [], _MD.options, {}))


def _merge_text(nodes: list[Inline]) -> list[Inline]:
    """Join neighbouring text runs, so the tree is canonical whatever the tokenizer split."""
    out: list[Inline] = []
    run: list[Text] = []  # the run being joined, joined once (a paragraph of a million lines,
    # each a text of its own, was copied again at each line: minutes for 2 MB)
    for node in nodes:
        if isinstance(node, Text):
            run.append(node)
            continue
        if run:
            out.append(_joined(run))
            run = []
        out.append(node)
    if run:
        out.append(_joined(run))
    return out


def _joined(run: list[Text]) -> Text:
    return run[0] if len(run) == 1 else Text("".join(node.text for node in run))


for _parsing in (_MD, _MD_LF):
    _parsing.core.ruler.before("text_join", "syndicate_not_characters", _find_not_characters)
    _parsing.core.ruler.before("inline", "syndicate_used_definitions", _note_used_definitions)
    _parsing.core.ruler.before("inline", "syndicate_deep_brackets", _find_deep_brackets)
