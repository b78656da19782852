"""Problems as data: every reader, writer and validator reports through a `Diagnostics` sink."""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal

from syndicate.model.source import SourceRef

Severity = Literal["error", "warning"]

_UNSHOWABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""What a file name may hold that a terminal would act on rather than show (a carriage return
in macOS's `Icon\\r`, an escape sequence that clears the screen, a line separator, a bidi
control that reorders the line, a byte that is not UTF-8): a path shows them escaped, as the
messages do with `repr`. JSON keeps the real path (it escapes them itself)."""


_AT_LINE = re.compile(r"(.+?):([0-9]{1,9})(?::[0-9]{1,9})?")
"""A place written `path:line`, or `path:line:column` as EPUBCheck writes it (the column
left out: a problem is told at its line); line 0 is no line."""


def showable(text: str) -> str:
    """`text` with what a terminal would act on escaped as Python writes it (`\x1b[2J`)."""
    return _UNSHOWABLE.sub(lambda m: repr(m.group())[1:-1], text)


SHORT = 60
"""The most characters a message quotes of a value given (`shortened`)."""
_NUMBER = re.compile(r"[-+]?_*[0-9][0-9_]*")


def _quoted_width(char: str, quote: Callable[[str], str]) -> int:
    """How many characters `quote` writes for `char` (1; an escape's, `\\u200c`, 6)."""
    return len(quote(char)) - len(quote(""))


def _joins(char: str) -> bool:
    """Whether `char` is part of the letter before it (a vowel sign, a vowel mark, an accent
    written apart): no value is cut before one."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me")


def shortened(text: str, most: int = SHORT, quote: Callable[[str], str] = str) -> str:
    """A value as a message quotes it (in `quote`'s quotes: `repr`): whole up to `most`
    characters; a longer one by its start and its end, the middle elided (`...`), and a
    number with how many digits it has (`999999...999 (5,000 digits)`), which a message
    quoting all 5,000 hid in a screenful. Cut where a letter ends: never between a letter
    and its vowel sign or mark (Devanagari, Arabic), which would show on the dots. The one
    rule of every message quoting a value given (a story's field, a setting)."""
    if len(quote(text)) <= most:
        return quote(text)
    keep = most - 3 - (len(quote("")))
    # Measured as quoted: an escape (`\u200c`, Persian's non-joiner) is six characters of it,
    # and a start and an end counted in the value's own characters overlapped.
    head, room = 0, keep * 2 // 3
    while head < len(text) and (room := room - _quoted_width(text[head], quote)) >= 0:
        head += 1
    tail, room = len(text), keep - keep * 2 // 3
    while tail > head and (room := room - _quoted_width(text[tail - 1], quote)) >= 0:
        tail -= 1
    while 0 < head < len(text) and _joins(text[head]):  # (cut where a letter ends)
        head -= 1
    while tail < len(text) and _joins(text[tail]):
        tail += 1
    short = quote(f"{text[:head]}...{text[tail:]}")
    if _NUMBER.fullmatch(text):
        return f"{short} ({sum(char.isdigit() for char in text):,} digits)"
    return short


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str
    """A stable, dotted identifier such as `article.date`, for filtering and documentation."""
    message: str
    path: str | None = None
    line: int = 0
    named: tuple[str, ...] = ()
    """The files the message names for a command to be pasted (an exiftool command's photo),
    relative to the site folder as `path` is, and written in it shell-quoted: the command
    line shows them from the folder the command was started in, as it does `path` (`--site
    DIR` run from elsewhere), so that what is pasted there finds them."""

    def format_text(self) -> str:
        path = showable(self.path or "")
        where = f"{path}:{self.line}: " if path and self.line else ""
        if path and not self.line:
            where = f"{path}: "
        return f"{where}{self.severity}: {self.message} [{self.code}]"

    def format_json(self) -> str:
        """One JSON object; a problem with no line (a whole file, or none) has `"line": null`,
        as one with no file has `"path": null`."""
        record = asdict(self)
        del record["named"]  # (in the message, as the command line shows them)
        record["line"] = self.line or None
        return json.dumps(record, ensure_ascii=False, sort_keys=True)


class Diagnostics:
    """Collects every problem of a run, so all of them are reported, not only the first; the
    same problem reported twice (two formats warning about one headline) is kept once."""

    def __init__(self) -> None:
        self._items: dict[Diagnostic, None] = {}
        self._taps: list[list[Diagnostic]] = []

    def add(self, d: Diagnostic) -> None:
        self._items.setdefault(d)
        for tap in self._taps:
            tap.append(d)

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[Diagnostic]]:
        """Every problem reported inside the block, in order, those reported before too
        (which the collection keeps once)."""
        tap: list[Diagnostic] = []
        self._taps.append(tap)
        try:
            yield tap
        finally:
            self._taps = [other for other in self._taps if other is not tap]

    def error(self, code: str, message: str, where: SourceRef | str | None = None) -> None:
        self._report("error", code, message, where)

    def warning(
        self,
        code: str,
        message: str,
        where: SourceRef | str | None = None,
        named: tuple[str, ...] = (),
    ) -> None:
        self._report("warning", code, message, where, named)

    def _report(
        self,
        severity: Severity,
        code: str,
        message: str,
        where: SourceRef | str | None,
        named: tuple[str, ...] = (),
    ) -> None:
        if isinstance(where, SourceRef):
            self.add(Diagnostic(severity, code, message, where.path, where.line, named))
        elif where is not None and (at := _AT_LINE.fullmatch(where)):
            # `out/newsml/x.xml:3`, as a checker of out/'s files writes a place: the file and
            # its line (JSON's `path` is a file, `line` a number).
            self.add(Diagnostic(severity, code, message, at.group(1), int(at.group(2))))
        else:
            self.add(Diagnostic(severity, code, message, where))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        for d in other:
            self.add(d)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self._items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self._items if d.severity == "warning"]

    def has_errors(self, *, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        """In reading order: by file, then line; problems without a file first. One mistake
        met by many pages (`for_page`: a template's typo, met by each story's page) is said
        once, naming the first page and counting the others."""
        folded: dict[tuple[object, ...], list[str]] = {}
        kept: list[Diagnostic] = []
        for d in self._items:
            base, page = _page_of(d.message)
            if page is None:
                kept.append(d)
                continue
            key = (d.severity, d.code, d.path, d.line, base)
            if key not in folded:
                folded[key] = []
                kept.append(d)
            folded[key].append(page)
        out = []
        for d in kept:
            base, page = _page_of(d.message)
            if page is not None:
                pages = sorted(folded[(d.severity, d.code, d.path, d.line, base)])
                others = len(pages) - 1
                more = f" and {others} other page{'s' if others > 1 else ''}" if others else ""
                d = Diagnostic(
                    d.severity,
                    d.code,
                    f"{base}{_MAKING}{pages[0]}{more})",
                    d.path,
                    d.line,
                    d.named,
                )
            out.append(d)
        return sorted(out, key=lambda d: (d.path or "", d.line))


_MAKING = " (making "


def for_page(message: str, page: str) -> str:
    """`message` said of the output `page` it was met making: the report says a message met by
    many pages once, with the first page and a count (`Diagnostics.sorted`)."""
    return f"{message}{_MAKING}{page})"


def _page_of(message: str) -> tuple[str, str | None]:
    base, found, page = message.rpartition(_MAKING)
    if not found or not page.endswith(")"):
        return message, None
    return base, page[:-1]


CLOSE = 0.6
"""How alike a word and a choice must be to be offered (difflib's ratio, and its default)."""


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = CLOSE) -> str:
    """`; did you mean 'x'?` for the closest of `choices`, or nothing when none is close
    (none at least `cutoff` alike: a higher one offers only near misses)."""
    return suggest(closest(word, choices, cutoff))


def suggest(meant: str | None) -> str:
    """`; did you mean 'x'?`, the one way every message offers what was meant; nothing for
    None. For a suggestion that is not one of the choices (the tag a word names)."""
    return f"; did you mean {meant!r}?" if meant else ""


def misspelt(missing: str, unknown: Iterable[str]) -> bool:
    """Whether one of the `unknown` names written is a misspelling of the required `missing`
    one (`headlin:` where `headline` is required, `urll:` where `url` is): one mistake, said
    once, as the unknown name with its "did you mean" (a story's fields, syndicate.yaml's
    options), not also as the missing one."""
    return any(did_you_mean(str(name), [missing]) for name in unknown)


def closest(word: str, choices: Iterable[str], cutoff: float = CLOSE) -> str | None:
    """The one of `choices` closest to `word`, or None when none is `cutoff` alike."""
    hint = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return hint[0] if hint else None


def out_of_range(
    kind: str,
    least: float | None = None,
    most: float | None = None,
    *,
    above: float | None = None,
    below: float | None = None,
) -> str:
    """What follows a number out of its range, the one way every message says it (an option
    of syndicate.yaml, a field its schema or a story's bounds, a command line's `--jobs` or
    `--port`, the API's `jobs`): `is not valid: expected a whole number from 1 to 10000`.
    `kind` is `a whole number` or `a number`; `least` and `most` are bounds the number may
    equal, `above` and `below` ones it must pass; both ends are told when there are two."""
    low = f"at least {_bound(least)}" if least is not None else None
    low = f"more than {_bound(above)}" if above is not None else low
    high = f"at most {_bound(most)}" if most is not None else None
    high = f"less than {_bound(below)}" if below is not None else high
    if least is not None and most is not None and above is None and below is None:
        allowed = f"from {_bound(least)} to {_bound(most)}"
    elif low and high:
        allowed = f"{low} and {high}"
    else:
        allowed = f"of {low or high}"
    return f"is not valid: expected {kind} {allowed}"


def _bound(value: float | None) -> str:
    """A bound as written in syndicate.yaml or typed: `300`, not `300.0`; `0.05`."""
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


def route_library_warnings() -> logging.Handler | None:
    """Python warnings of libraries (Pillow, zipfile) are internals: they go to logging, shown
    with SYNDICATE_DEBUG=1, never raw onto a user's terminal. What a user can act on is a
    diagnostic. Returns the handler it added to the `py.warnings` logger, if it added one (a
    program that called the command line takes it off afterwards)."""
    logging.captureWarnings(True)
    logger = logging.getLogger("py.warnings")
    if any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        return None
    added = logging.NullHandler()  # so logging's last resort does not print it
    logger.addHandler(added)
    return added


def said_at(when: datetime, *beside: datetime) -> str:
    """`when` as a message writes it (RFC 3339), with the time in UTC after it when a time it
    is compared with has another offset: across a clock change, 02:45+02:00 is before
    02:30+01:00, which the UTC times make plain."""
    text = when.isoformat()
    if any(other.utcoffset() != when.utcoffset() for other in beside):
        text += f", {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return text
