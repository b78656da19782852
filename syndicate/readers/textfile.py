"""Reading a source text file safely: size, binary, UTF-8, Unicode normalisation, XML characters,
merge conflicts."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from syndicate.diagnostics import Diagnostics
from syndicate.model.source import SourceRef
from syndicate.readers import budgets
from syndicate.readers.safefile import Refused, read_checked, site_refusal

# Characters XML 1.0 cannot carry: C0 controls but tab, newline, carriage return; surrogates;
# U+FFFE/U+FFFF. Text with them would make every XML output (feeds, NewsML-G2, EPUB) invalid.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
C1_CONTROLS = re.compile("[\x80-\x9f]")
"""The C1 control characters: XML 1.0 discourages them and XML 1.1 forbids them, HTML calls
each a parse error, and U+009B starts a terminal's control sequences. In news text each is a
mishap: a Windows-1252 character (`\x92` is `’`) read as Latin-1 on the way."""
_XML_FORBIDDEN_BYTES = bytes(code for code in range(0x20) if code not in b"\t\n\r")
"""The C0 controls of `XML_FORBIDDEN`: in UTF-8, these bytes are those characters alone."""
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
"""`C1_CONTROLS` in UTF-8 (0xC2 only ever leads a character)."""


def holds_forbidden(text: str, c1: bool = False) -> bool:
    """Whether `XML_FORBIDDEN` (with `c1`, or `C1_CONTROLS`) finds a character in `text`,
    told from its UTF-8 bytes: a lone surrogate does not encode, a C0 control is its byte, and
    U+FFFE, U+FFFF and the C1 controls are sequences of bytes no other character's are part
    of. Those patterns, a class of characters tried at every character, cost some 80
    instructions a character of a story's texts, these a quarter of that (the bytes
    deleted by a table, `bytes.find`); `tests/test_fast_paths.py` compares both on every
    character."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if len(data.translate(None, _XML_FORBIDDEN_BYTES)) != len(data):
        return True
    if b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:  # U+FFFE, U+FFFF
        return True
    return c1 and b"\xc2" in data and _C1_UTF8.search(data) is not None


# Embeddings, overrides and isolates: invisible, and able to reorder what readers see.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
STRAY_BOM = "\ufeff"
"""The byte order mark, which is at most a file's first character (dropped when read); anywhere
else it is an invisible character every channel would publish (an editor adding a second one,
a file pasted into another), and a second one at the start hid the front matter's `---`."""

# Git's markers of an unresolved merge conflict, each exactly seven characters at the start of
# a line, then a space (and the side's name) or the line's end. A `<<<<<<<` line followed by a
# `>>>>>>>` line is told; either alone is not (`=======` alone is a Markdown heading's
# underline, `>>>>>>> text` a quote in a quote in a quote...).
_CONFLICT_START = re.compile(r"^<{7}(?=[ \r\n]|\Z)", re.MULTILINE)
_CONFLICT_END = re.compile(r"^>{7}(?=[ \r\n]|\Z)", re.MULTILINE)


def merge_conflicts(text: str) -> list[tuple[int, int]]:
    """The unresolved merge conflicts git left in `text`: the lines of each one's `<<<<<<<`
    and `>>>>>>>` markers. A text without `<<<<<<<` has none: the patterns, which open with
    `^`, give the regular-expression engine no first character to skip to, and were tried at
    every character of every text."""
    if "<<<<<<<" not in text:
        return []
    found = []
    at = 0
    while (start := _CONFLICT_START.search(text, at)) and (
        end := _CONFLICT_END.search(text, start.end())
    ):
        found.append((text.count("\n", 0, start.start()) + 1, text.count("\n", 0, end.start()) + 1))
        at = end.end()
    return found


def conflict_problem(first: int, last: int) -> str:
    """What to say of an unresolved merge conflict from line `first` to line `last`."""
    return (
        f"an unresolved merge conflict (git's markers, lines {first} to {last}): keep one side,"
        " delete the other and the marker lines (<<<<<<<, |||||||, =======, >>>>>>>), and save"
    )


def bidi_warning(text: str, what: str) -> str | None:
    """The warning for a text holding an invisible bidi control, or None (at once for an
    ASCII text, which Python knows without reading it)."""
    if not text.isascii() and (found := BIDI_CONTROLS.search(text)):
        return (
            f"{what} contains the invisible bidi control U+{ord(found.group()):04X}, which"
            " can make text display in a misleading order; remove it"
        )
    return None


_ELEMENTS = (
    "a|abbr|acronym|address|article|aside|audio|b|bdi|bdo|big|blink|blockquote|body|br|button"
    "|canvas|caption|center|cite|code|col|dd|del|details|dfn|dialog|div|dl|dt|em|embed"
    "|fieldset|figcaption|figure|font|footer|form|frame|h[1-6]|head|header|hr|html|i|iframe"
    "|img|input|ins|kbd|label|legend|li|link|main|mark|marquee|math|meta|nav|noscript|object"
    "|ol|option|p|picture|pre|q|rp|rt|ruby|s|samp|script|section|select|small|source|span"
    "|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead"
    "|time|title|tr|tt|u|ul|var|video|wbr"
)
# An HTML element's tag (`<sub>`, `</em>`, `<br/>`, `<span class="x">`), its attributes
# written name=value: not "a < b", "<5 %", "Option<T>", "List<String>" nor "a<b and c>d".
_TAG = re.compile(
    rf"</?({_ELEMENTS})(?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*\s*/?>",
    re.IGNORECASE,
)
_SHIFTED = re.compile(r"<(sup|sub)>([^<>]*)</\1>", re.IGNORECASE)


def markup_warning(text: str, what: str) -> str | None:
    """The warning for a plain-text field (a headline, a summary, a caption) holding HTML
    tags, which every channel would publish as written, tags and all; or None. Raised and
    lowered text is shown as Unicode writes it (`H<sub>2</sub>O`: H₂O)."""
    found = _TAG.search(text)
    if found is None:
        return None
    from syndicate.model.body import lowered, raised  # the body's model, for this rare case

    plain = _SHIFTED.sub(lambda m: raised(m[2]) if m[1].lower() == "sup" else lowered(m[2]), text)
    plain = _TAG.sub(lambda m: " " if m[1].lower() == "br" else "", plain)
    plain = re.sub(r"\s+", " ", plain).strip()
    return (
        f"{what} holds HTML markup ({found[0]}), which every channel publishes as written, tags"
        " and all: it is plain text; write it without tags" + (f": {plain!r}" if plain else "")
    )


def not_fields(what: str, example: str, found: object, empty: str) -> str:
    """The error for YAML that is not `name: value` lines where they are wanted (a list, a
    lone value), in a journalist's words, not YAML's "mapping"; `empty` when it holds
    nothing at all (only comments or blank lines): what a file of its kind needs."""
    if found is None:
        return empty
    kind = "a list (lines starting with -)" if isinstance(found, list) else "a value with no name"
    return f"{what} must be `name: value` lines, like `{example}`, not {kind}"


def read_text(
    path: Path, shown: str, diags: Diagnostics, empty: str, root: Path | None = None
) -> str | None:
    """The file's text (see `decode_text`), or None (with a diagnostic) when it cannot be used
    as a source at all; only a regular file within the size limit (and, with `root`, inside
    that folder after links) is opened."""
    try:
        raw = read_checked(path, root, budgets.MAX_TEXT_BYTES)
    except Refused as exc:
        diags.error(*(site_refusal(exc) if root is not None else (exc.code, exc.message)), shown)
        return None
    return decode_text(raw, shown, diags, empty)


def decode_text(raw: bytes, shown: str, diags: Diagnostics, empty: str) -> str | None:
    """The text of a file's bytes, NFC-normalised and without XML-forbidden characters, or None
    (with a diagnostic) when it is empty, binary, not UTF-8, or holds an unresolved merge
    conflict. `empty` is the error for an empty file: what a file of its kind needs, and how
    to get it."""
    where = SourceRef(shown)
    if wide := wide_encoding(raw):
        diags.error(
            "file.encoding",
            f'the file is {wide} text (what Windows Notepad calls "Unicode"), not UTF-8;'
            " save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
            where,
        )
        return None
    if not raw.strip():
        diags.error("file.empty", empty, where.at(1))  # a line to go to, for an editor
        return None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        diags.error(
            "file.binary",
            "file is binary (contains NUL bytes), not text: save it as plain UTF-8 text (a"
            " word processor's document, or a file a download cut short, is not)",
            where.at(line),
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diags.error(
            "file.encoding",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            where.at(line),
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = strip_forbidden(text, where, diags)
    # Told before any parsing: YAML would call the markers a syntax error, and Markdown would
    # publish both sides, the markers, and `>>>>>>>` as seven quotes in one another.
    if conflicts := merge_conflicts(text):
        for first, last in conflicts:
            diags.error("file.merge-conflict", conflict_problem(first, last), where.at(first))
        return None
    return text


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16's, which starts it
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_UNTEXTLIKE = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def wide_encoding(raw: bytes) -> str | None:
    """`UTF-16` or `UTF-32` when the bytes are text in one of them (what Windows Notepad saves
    as "Unicode"), else None: by the byte order mark, or, for UTF-16 without one, by the bytes
    decoding as UTF-16 to lines of text (the NUL byte beside each ASCII character told it
    binary, without a word of what to do)."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            return name
    if len(raw) % 2 or b"\x00" not in raw:
        return None
    # ASCII (the front matter's keys, every line end) has its NUL second in little-endian
    little = raw[1::2].count(0) > raw[0::2].count(0)
    try:
        text = raw.decode("utf-16-le" if little else "utf-16-be")
    except UnicodeDecodeError:
        return None
    return "UTF-16" if "\n" in text and not _UNTEXTLIKE.search(text) else None


def strip_forbidden(text: str, where: SourceRef, diags: Diagnostics) -> str:
    """Report and drop characters that XML 1.0 forbids, the C1 controls, and a byte order
    mark past the file's first character, naming the line of each."""
    if STRAY_BOM in text:
        for match in re.finditer(STRAY_BOM, text):
            line = text.count("\n", 0, match.start()) + 1
            diags.error("text.control-char", bom_problem(text, match.start()), where.at(line))
        text = text.replace(STRAY_BOM, "")
    if not holds_forbidden(text, c1=not text.isascii()):
        return text  # (an ASCII text holds no C1 control: Python knows it without reading it)
    for match in XML_FORBIDDEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        diags.error(
            "text.control-char",
            f"character U+{ord(match.group()):04X} is not allowed in XML; remove it",
            where.at(line),
        )
    for match in C1_CONTROLS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        diags.error("text.control-char", c1_problem(match.group()), where.at(line))
    return C1_CONTROLS.sub("", XML_FORBIDDEN.sub("", text))


def bom_problem(text: str, at: int) -> str:
    """What to say of a byte order mark at index `at` of a file's text (its first one
    dropped): where in the line it is, as it cannot be seen."""
    if at == 0:
        where = "a second byte order mark at the start of the file"
    else:
        where = f"a byte order mark at column {at - text.rfind(chr(10), 0, at)}"
    return (
        f"character U+FEFF, {where}, is invisible and may only be a file's first character,"
        " where it is dropped; anywhere else every channel would publish it: delete it"
    )


def c1_problem(char: str) -> str:
    """What to say of a C1 control character: what it most likely was."""
    meant = bytes([ord(char)]).decode("cp1252", errors="replace")
    was = (
        f"; it is most likely a {meant!r} that went through Windows-1252: write that"
        if (meant != "\ufffd")
        else "; remove it"
    )
    return f"character U+{ord(char):04X} is a control character, which no text may hold{was}"
