"""Cover text set for drawing: bounded to a sane length, cut into graphemes that are each drawn
by a font that has them, ordered by the Unicode bidi algorithm, broken into lines, and each line
split into runs of one font and one direction, in visual order (left to right)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

import regex

from syndicate.formats.epub import fribidi_adapter
from syndicate.formats.epub.fontfiles import fonts_cache
from syndicate.formats.epub.fonts import FontSpec, choose, font_file, missing_fonts_error
from syndicate.formats.epub.fribidi_adapter import BaseDirection
from syndicate.formats.epub.harfbuzz_adapter import Shaped, shape
from syndicate.i18n.dates import date_pattern
from syndicate.i18n.locales import locale_for

ELLIPSIS = "…"
MAX_GRAPHEME = 16
"""Code points in one grapheme: more (a pile of combining accents) is cut, as no script stacks
that many and the pile would grow taller than the cover."""

_GRAPHEME = regex.compile(r"\X")
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Lines break at spaces and around Chinese and Japanese characters, which need no spaces; Korean
# breaks at spaces; Tibetan after its syllables' tsheg; any text at a soft hyphen or zero-width
# space. Closing punctuation stays with what precedes it, opening with what follows.
# This is a small subset of UAX #14 with a cover's own rules on top: a date, a number and its
# unit stay together, which UAX #14 allows to break (`2021年2月 / 18日`, `18 février / 2021`);
# a full UAX #14 (PyICU, a C++ build of ICU) would still need those rules, and tailoring to keep
# Korean at spaces, and would move the breaks of every other cover.
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef]")
_SPACELESS = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
"""Scripts written without spaces between words: lines break between the words of ICU's
dictionaries."""
_SMALL_KANA = frozenset(
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｬｭｮｯｰ"
    "\U0001b132\U0001b150\U0001b151\U0001b152\U0001b155\U0001b164\U0001b165\U0001b166"
    "\U0001b167\U0001b168"
)
"""Small kana (UAX #14 class CJ, with ー): the second half of a syllable (the ュ of セキュ, the
ィ of ティ), never at the start of a line, as JIS X 4051 and CSS `line-break: strict` set
Japanese and as UAX #14 resolves CJ by default (so do ICU's root rules; its `ja` rules and CSS
`normal` allow the break). In any language: a Japanese word quoted in Chinese keeps its
syllables too."""
SOFT_HYPHEN, ZERO_WIDTH_SPACE, HYPHEN = "\u00ad", "\u200b", "-"
_TIBETAN_BREAK_AFTER = frozenset(
    "\u0f0b\u0f34\u0f7f\u0f85\u0fbe\u0fbf\u0fd2\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f14"
)
"""Tibetan (and Dzongkha) writes no spaces between words: lines break after the tsheg ་ that
ends each syllable and the like (UAX #14 class BA), and after a shad ། (class EX), never before
them (nor before the no-break tsheg ༌, class GL, which is not here)."""
_BREAK_AFTER = _TIBETAN_BREAK_AFTER | {SOFT_HYPHEN, ZERO_WIDTH_SPACE}
"""Where a line may break inside a word: after a Tibetan tsheg or shad, after the soft hyphen
(a hyphen is then drawn at the end of the line) and the zero-width space an editor puts in a
long word, which draw nothing otherwise (HarfBuzz hides them)."""
_CLOSING = (
    frozenset("，。、：；！？）」』》〉】〕〗〙〛”’・ー…‥ゝゞヽヾ々") | _SMALL_KANA | _BREAK_AFTER
)
"""What never starts a line: closing punctuation, small kana, and the marks lines break after."""
_OPENING = frozenset("（「『《〈【〔〖〘〚“‘")
_NO_BREAK_SPACES = frozenset("\u00a0\u202f\u2007")
"""No-break, narrow no-break (the one French puts inside guillemets) and figure spaces: kept
as written, and no line breaks at them."""
_BREAKING_SPACES = regex.compile(r"[^\S\u00a0\u202f\u2007]+")
# A word of punctuation alone between spaces (French sets them apart: `« oui »`, `Paris :`) stays
# with its text: an opening mark with the word after it, a closing one with the word before.
_LEADING = regex.compile(r"[\p{Ps}\p{Pi}¿¡]+")
_TRAILING = regex.compile(r"[\p{Pe}\p{Pf}!?:;.,…%‰]+")
_NUMBER = regex.compile(r"\d(?:[\d.,\u00a0\u202f\u2007]*\d)?")


def bound(text: str, limit: int) -> str:
    """White space collapsed (no-break spaces kept); at most `limit` graphemes of at most
    MAX_GRAPHEME code points, cut at a grapheme boundary with an ellipsis. Nothing large ever
    reaches the shaper."""
    text = _BREAKING_SPACES.sub(" ", text[: limit * MAX_GRAPHEME + 1]).strip(" ")
    kept: list[str] = []
    for count, match in enumerate(_GRAPHEME.finditer(text)):
        grapheme = match.group()
        if count == limit or len(grapheme) > MAX_GRAPHEME or match.end() > limit * MAX_GRAPHEME:
            return "".join(kept).rstrip() + ELLIPSIS
        kept.append(grapheme)
    return text


@dataclass(frozen=True, slots=True)
class Run:
    """Text of one font and one direction, shaped as a whole by HarfBuzz."""

    text: str
    font: FontSpec
    rtl: bool


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One cover text: its graphemes, the font of each, and the bidi level of each."""

    clusters: tuple[str, ...]
    fonts: tuple[FontSpec, ...]
    levels: tuple[int, ...]
    missing: tuple[str, ...]
    """Graphemes no installed font has: left out, and reported."""
    hyphen: FontSpec | None = None
    """The font of the hyphen drawn where a line breaks at a soft hyphen (None without one)."""

    def hyphenated(self, end: int) -> bool:
        """Whether a line that ends before the grapheme `end` breaks at a soft hyphen (not at
        the end of the text, nor before spaces: a line breaks after those)."""
        clusters = self.clusters
        return (
            0 < end < len(clusters)
            and clusters[end - 1] == SOFT_HYPHEN
            and not _breaking(clusters[end])
            and self.hyphen is not None
        )

    def line(self, start: int, end: int) -> tuple[Run, ...]:
        """The graphemes start..end drawn as a line: their runs, and where the line breaks at a
        soft hyphen, a hyphen in its place (the soft hyphen draws nothing elsewhere)."""
        if not self.hyphenated(end):
            return self.runs(start, end)
        assert self.hyphen is not None
        drawn = replace(
            self,
            clusters=(*self.clusters[: end - 1], HYPHEN),
            fonts=(*self.fonts[: end - 1], self.hyphen),
            levels=self.levels[:end],
        )
        return drawn.runs(start, end)

    def runs(self, start: int = 0, end: int | None = None) -> tuple[Run, ...]:
        """The graphemes start..end as one line: runs of one font and level, in visual order."""
        end = len(self.clusters) if end is None else end
        levels, fonts = self.levels[start:end], self.fonts[start:end]
        if levels and levels.count(levels[0]) == len(levels) == fonts.count(fonts[0]):
            text = "".join(self.clusters[start:end])
            if _BIDI_CONTROLS.isdisjoint(text):  # one run: what the general case would give
                return (Run(text, fonts[0], levels[0] % 2 == 1),)
        groups: list[tuple[int, FontSpec, list[str]]] = []
        for i in range(start, end):
            cluster = self.clusters[i]
            if all(char in _BIDI_CONTROLS for char in cluster):
                continue  # rule X9: the controls did their work in the levels
            key = (self.levels[i], self.fonts[i])
            if groups and groups[-1][:2] == key:
                groups[-1][2].append(cluster)
            else:
                groups.append((*key, [cluster]))
        return tuple(
            Run("".join(text), font, level % 2 == 1) for level, font, text in _visual(groups)
        )

    def tokens(self, lang: str) -> list[tuple[int, int, int, bool]]:
        """Units that lines break between: (start, word start, end, glued), the spaces before a
        word belonging to it; a glued unit stays on the line of the one before it when the two
        fit on a line (they are broken apart only when they do not)."""
        clusters = self.clusters
        between = _between_words(clusters, lang)
        cuts = [0]
        for i in range(1, len(clusters)):
            before, here = clusters[i - 1], clusters[i]
            if _breaking(here) and not _breaking(before):
                cuts.append(i)
            elif _breaking(before) or before[0] in _OPENING or here[0] in _CLOSING:
                continue
            elif before[-1].isdecimal() and (here[0].isdecimal() or _CJK.match(here)):
                continue  # a number keeps its counter or unit: 18日, 500人, ２０２１
            elif (
                _CJK.match(here)
                or _CJK.match(before)
                or i in between
                or before[-1] in _BREAK_AFTER  # a tsheg, a shad, a soft hyphen, a ZWSP
            ):
                cuts.append(i)
        cuts.append(len(clusters))
        found = []
        for start, end in pairwise(cuts):
            word = start
            while word < end and _breaking(clusters[word]):
                word += 1
            found.append((start, word, end))
        glued = self._glued(found, lang)
        return [(*unit, glue) for unit, glue in zip(found, glued, strict=True)]

    def _glued(self, units: list[tuple[int, int, int]], lang: str) -> list[bool]:
        """Which units stay with the one before them: a word after an opening quote (`« oui`),
        a closing quote or mark after its word (`oui »`, `Paris :`), a word after a number (its
        unit: `500 soldats`), a number that ends the text (never alone on the last line), and
        every word inside a date of the language (`18 février 2021`, `2021年2月18日`)."""
        words = ["".join(self.clusters[word:end]) for _, word, end in units]
        glued = [False] * len(units)
        for k in range(1, len(units)):
            glued[k] = bool(
                _LEADING.fullmatch(words[k - 1])
                or _TRAILING.fullmatch(words[k])
                or (words[k - 1][-1:].isdecimal() and words[k][:1].isalpha())
                or (k == len(units) - 1 and _NUMBER.fullmatch(words[k]))
            )
        offsets = [0]
        for cluster in self.clusters:
            offsets.append(offsets[-1] + len(cluster))
        for date in date_pattern(lang).finditer("".join(self.clusters)):
            for k, (start, word, _) in enumerate(units[1:], 1):
                if date.start() < offsets[word] and offsets[start] < date.end():
                    glued[k] = True
        return glued


def needs_word_breaks(*texts: str) -> bool:
    """Whether the texts hold a script written without spaces between words, which only
    ICU's dictionaries break between words (`icu_adapter`)."""
    return any(_SPACELESS.search(text) for text in texts)


def _between_words(clusters: tuple[str, ...], lang: str) -> frozenset[int]:
    """The clusters that start a word inside a run of a script written without spaces between
    words (Thai, Lao, Khmer, Burmese), as ICU's dictionaries find them (`icu_adapter`); none
    without such a script, or without ICU."""
    if not any(_SPACELESS.match(cluster) for cluster in clusters):
        return frozenset()
    from syndicate.formats.epub.icu_adapter import line_breaks

    found = line_breaks("".join(clusters), lang)
    if not found:
        return frozenset()
    starts, at = [], 0
    for cluster in clusters:
        starts.append(at)
        at += len(cluster)
    return frozenset(
        i
        for i in range(1, len(clusters))
        if starts[i] in found
        and _SPACELESS.match(clusters[i - 1])
        and _SPACELESS.match(clusters[i])
    )


def _breaking(cluster: str) -> bool:
    """A space lines break at (not a no-break space)."""
    return cluster.isspace() and cluster not in _NO_BREAK_SPACES


def _visual(groups: list[tuple[int, FontSpec, list[str]]]) -> list[tuple[int, FontSpec, list[str]]]:
    """Rule L2 of UAX #9 on runs: from the highest level down to the lowest odd one, reverse
    every sequence of runs at that level or above."""
    order = list(groups)
    if not order:
        return order
    levels = [group[0] for group in order]
    lowest_odd = min(level for level in levels if level % 2) if any(x % 2 for x in levels) else 0
    for level in range(max(levels), max(lowest_odd, 1) - 1, -1):
        i = 0
        while i < len(order):
            if order[i][0] < level:
                i += 1
                continue
            j = i
            while j < len(order) and order[j][0] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return order


@dataclass(frozen=True, slots=True)
class Style:
    """How a text is set: the book's language, the weight, the paragraph direction (`auto`:
    its first strong character's), where the fonts are, and whether the text takes the fonts
    of its `own` scripts rather than the book language's (the publisher's name, the same on
    every cover)."""

    lang: str
    bold: bool
    base: BaseDirection
    dirs: tuple[str, ...]
    own: bool = False


@fonts_cache(1024)
def set_text(text: str, style: Style) -> Paragraph:
    """A cover text set in the installed fonts. Raises CoverError naming every required font
    that is missing."""
    clusters: list[str] = []
    fonts: list[FontSpec] = []
    missing: list[str] = []
    absent: list[FontSpec] = []
    dropped = False
    for match in _GRAPHEME.finditer(text):
        cluster = match.group()
        choice = choose(cluster, style.lang, style.bold, style.own, style.dirs)
        absent.extend(choice.absent)
        if choice.font is None:
            missing.append(cluster)
            dropped = True
        elif dropped and cluster.isspace() and (not clusters or clusters[-1].isspace()):
            continue  # a space left over where a grapheme was left out: `a 😀 b` is `a b`
        else:
            clusters.append(cluster)
            fonts.append(choice.font)
            dropped = False
    if missing and clusters and clusters[-1].isspace():
        clusters.pop()  # `a 😀` is `a`
        fonts.pop()
    if absent:
        raise missing_fonts_error(absent, style.dirs)
    levels = fribidi_adapter.embedding_levels("".join(clusters), style.base)
    starts = [0]
    for cluster in clusters:
        starts.append(starts[-1] + len(cluster))
    hyphen = None
    if SOFT_HYPHEN in clusters:  # a grapheme of its own (a control, to UAX #29)
        hyphen = choose(HYPHEN, style.lang, style.bold, style.own, style.dirs).font
    return Paragraph(
        tuple(clusters),
        tuple(fonts),
        tuple(levels[s] for s in starts[:-1]),
        tuple(dict.fromkeys(missing)),
        hyphen,
    )


@lru_cache(maxsize=256)
def shaping(lang: str) -> str:
    """The language given to the shaper (language-specific forms, e.g. Persian digits), as a
    BCP 47 tag with its script and region: HarfBuzz takes Chinese written `zh` for Simplified
    and chooses Traditional forms (punctuation centred, the TC glyphs) for `zh-Hant`, `zh-TW`,
    `zh-HK` and `zh-MO`."""
    locale = locale_for(lang)
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)


def shaped(run: Run, style: Style) -> Shaped:
    """A run's glyphs and their positions, in ems (shaped once, at any size)."""
    path, index = font_file(run.font, style.dirs)
    return shape(path, index, run.text, run.rtl, shaping(style.lang))


def run_width(run: Run, size: float, style: Style) -> float:
    """The advance of a run at a pixel size."""
    return shaped(run, style).width * size


def width(runs: Sequence[Run], size: float, style: Style) -> float:
    """The advance of a line at a pixel size."""
    return sum(run_width(run, size, style) for run in runs)


@dataclass(frozen=True, slots=True)
class Fit:
    """How a text is fitted: sizes from `largest` down to `smallest` by `step`, lines no wider
    than `width` and, for a paragraph, no more than `height` tall together; at most `graphemes`
    of the text are set."""

    largest: float
    smallest: float
    step: float
    width: float
    height: float = 0
    leading: float = 1.35
    graphemes: int = 100

    def sizes(self, below: float | None = None) -> list[float]:
        """The sizes to try, largest first (only those under `below` when given)."""
        count = int((self.largest - self.smallest) // self.step) + 1
        found = [self.largest - i * self.step for i in range(count)]
        return [s for s in found if below is None or s < below] or [self.smallest]

    def line_height(self, size: float) -> int:
        return round(size * self.leading)


@dataclass(frozen=True, slots=True)
class Setting:
    """A text set in lines at the size it fits."""

    size: float
    lines: tuple[tuple[Run, ...], ...]
    missing: tuple[str, ...]


@fonts_cache(1024)
def fit_line(text: str, style: Style, fit: Fit) -> Setting:
    """One line, as large as fits the width; at the smallest size, cut with an ellipsis."""
    par = set_text(bound(text, fit.graphemes), style)
    runs = par.runs()
    measured = width(runs, fit.largest, style)
    sizes = fit.sizes(below=fit.largest * fit.width / measured * 1.02) if measured else [0.0]
    size = next((s for s in sizes if width(runs, s, style) <= fit.width), sizes[-1])
    kept = len(par.clusters)
    while kept and width(runs, size, style) > fit.width:
        kept = min(kept - 1, int(kept * fit.width / width(runs, size, style)))
        runs = _cut(par, kept, style).runs()
    return Setting(size or fit.largest, (runs,), par.missing)


def _cut(par: Paragraph, kept: int, style: Style) -> Paragraph:
    """The first `kept` graphemes and an ellipsis, set again (the levels may change)."""
    return set_text("".join(par.clusters[:kept]).rstrip() + ELLIPSIS, style)


def fit_paragraph(text: str, style: Style, fit: Fit) -> Setting:
    """Lines as large as fit the box; at the smallest size, cut with an ellipsis after the last
    line that fits."""
    par = set_text(bound(text, fit.graphemes), style)
    units = _units(par, fit.largest, style)
    sizes = fit.sizes()
    ems: dict[tuple[int, int], float] = {}  # a line's width at size 1: advances scale with size
    for size in sizes:
        lines = _wrap(units, size / fit.largest, fit.width)
        if len(lines) * fit.line_height(size) > fit.height:
            continue
        for line in lines:
            if line not in ems:
                ems[line] = width(par.line(*line), 1.0, style)
        if all(ems[line] * size <= fit.width for line in lines):
            break
    lines = _hard_breaks(par, lines, size, style, fit.width)
    room = max(1, int(fit.height // fit.line_height(size)))
    while len(lines) > room:
        par = _cut(par, max(lines[room - 1][1] - 1, 0), style)
        lines = _hard_breaks(
            par, _wrap(_units(par, size, style), 1.0, fit.width), size, style, fit.width
        )
    return Setting(size, tuple(par.line(a, b) for a, b in lines), par.missing)


def _hard_breaks(
    par: Paragraph, lines: list[tuple[int, int]], size: float, style: Style, limit: float
) -> list[tuple[int, int]]:
    """The lines, each one still wider than `limit` at the smallest size (a word longer than
    the cover is wide: a German compound, a Thai headline without spaces) broken between
    graphemes where it fills its line: a title is cut, never clipped by the image's edge."""
    broken: list[tuple[int, int]] = []
    for start, end in lines:
        while end - start > 1 and width(par.line(start, end), size, style) > limit:
            fits, low, high = start + 1, start + 2, end - 1  # the longest start..fits that fits
            while low <= high:
                middle = (low + high) // 2
                if width(par.line(start, middle), size, style) <= limit:
                    fits, low = middle, middle + 1
                else:
                    high = middle - 1
            broken.append((start, fits))
            start = fits
        broken.append((start, end))
    return broken


def _units(par: Paragraph, size: float, style: Style) -> list[_Unit]:
    """The paragraph's line-breaking units with their widths at a size."""
    units = []
    for first, word, last, glued in par.tokens(style.lang):
        ink = width(par.runs(word, last), size, style)
        units.append(
            _Unit(
                word,
                last,
                width(par.runs(first, word), size, style) if word > first else 0.0,
                ink,
                glued,
                width(par.line(word, last), size, style) - ink if par.hyphenated(last) else 0.0,
            )
        )
    return units


@dataclass(frozen=True, slots=True)
class _Unit:
    """What a line breaks between: a word (or CJK character) and the spaces before it."""

    start: int
    """The word's first grapheme (a line starts there, after the spaces)."""
    end: int
    space: float
    ink: float
    glued: bool = False
    """Kept on the line of the unit before it, if the two fit on one line."""
    hyphen: float = 0.0
    """The hyphen drawn after the unit when a line ends there (it ends at a soft hyphen)."""


def _wrap(units: Sequence[_Unit], scale: float, limit: float) -> list[tuple[int, int]]:
    """Greedy line breaking on widths measured once and scaled: as many units on a line as fit;
    a unit wider than a line gets a line of its own."""
    lines: list[tuple[int, int]] = []
    start = end = -1
    used = 0.0
    for unit in _chunks(units, scale, limit):
        if start >= 0 and used + (unit.space + unit.ink + unit.hyphen) * scale <= limit:
            end, used = unit.end, used + (unit.space + unit.ink) * scale
            continue
        if start >= 0:
            lines.append((start, end))
        start, end, used = unit.start, unit.end, unit.ink * scale
    if start >= 0:
        lines.append((start, end))
    return lines


def _chunks(units: Sequence[_Unit], scale: float, limit: float) -> list[_Unit]:
    """The units with each glued one joined to the one before it (a date, a quote and its
    word), but for a group wider than a line, which keeps its own breaks."""
    found: list[_Unit] = []
    group: list[_Unit] = []
    for unit in [*units, None]:
        if unit is not None and group and unit.glued:
            group.append(unit)
            continue
        if len(group) > 1:
            ink = group[0].ink + sum(u.space + u.ink for u in group[1:])
            if ink * scale <= limit:
                group = [
                    _Unit(
                        group[0].start, group[-1].end, group[0].space, ink, False, group[-1].hyphen
                    )
                ]
        found += group
        group = [unit] if unit is not None else []
    return found
