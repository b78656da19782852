"""The fonts of the covers, in one place: which Noto file sets which script in which weight,
where it is under `epub.font_dirs`, which characters it has (its cmap, read by HarfBuzz), and
so which font draws each grapheme of a cover."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex
from fontTools import unicodedata as ucd

from syndicate.formats.epub import harfbuzz_adapter
from syndicate.formats.epub.fontfiles import font_files, fonts_cache
from syndicate.i18n.locales import script as language_script

CORE = "fonts-noto-core"


class CoverError(Exception):
    """A cover cannot be drawn on this machine (a font or the text shaper is missing)."""


@dataclass(frozen=True, slots=True, order=True)
class FontSpec:
    file: str
    family: str
    """The family name, which picks the face of a font collection (.ttc)."""
    package: str
    """The Debian package that ships the file, for the error message."""
    required: bool = True
    """The font of a script the covers promise to set: missing, it is an error. Fonts of other
    scripts are used when installed; without them, a character is reported as not drawn."""


def latin(bold: bool) -> FontSpec:
    """Latin, Greek, Cyrillic, digits and common punctuation."""
    if bold:
        return FontSpec("NotoSerif-Bold.ttf", "Noto Serif", CORE)
    return FontSpec("NotoSans-Regular.ttf", "Noto Sans", CORE)


_CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo", "Hans", "Hant", "Jpan", "Kore"})
_CJK_FACE = {"Hans": "SC", "Hant": "TC", "Jpan": "JP", "Hira": "JP", "Kana": "JP"}
_CJK_FACE |= {"Kore": "KR", "Hang": "KR"}
_COMMON = frozenset({"Zyyy", "Zinh", "Zzzz"})
_SYMBOLS = (
    FontSpec("NotoSansSymbols-Regular.ttf", "Noto Sans Symbols", CORE, required=False),
    FontSpec("NotoSansSymbols2-Regular.ttf", "Noto Sans Symbols 2", CORE, required=False),
    FontSpec("NotoSansMath-Regular.ttf", "Noto Sans Math", CORE, required=False),
)


def symbol_fonts() -> tuple[FontSpec, ...]:
    """The fonts of symbols, used for any script: their outline pictographs among them."""
    return _SYMBOLS


def script_fonts(script: str, lang: str, bold: bool) -> tuple[FontSpec, ...]:
    """The fonts for text in `script` (an ISO 15924 code) in a book in `lang`, best first."""
    weight = "Bold" if bold else "Regular"
    if script in {"Latn", "Grek", "Cyrl"} | _COMMON:
        return (latin(bold),)
    if script == "Arab":
        return (FontSpec(f"NotoNaskhArabic-{weight}.ttf", "Noto Naskh Arabic", CORE),)
    if script == "Hebr":
        return (FontSpec(f"NotoSansHebrew-{weight}.ttf", "Noto Sans Hebrew", CORE),)
    if script == "Deva":
        return (FontSpec(f"NotoSansDevanagari-{weight}.ttf", "Noto Sans Devanagari", CORE),)
    if script in _CJK_SCRIPTS:
        face = _CJK_FACE.get(script) or _CJK_FACE.get(language_script(lang), "SC")
        return (FontSpec(f"NotoSansCJK-{weight}.ttc", f"Noto Sans CJK {face}", "fonts-noto-cjk"),)
    # Other scripts: Noto's naming convention, e.g. NotoSansThai-Bold.ttf, when installed.
    name = ucd.script_name(script, default="").replace(" ", "").replace("_", "")
    if not name:
        return ()
    styles = [(style, w) for style in ("Sans", "Serif") for w in dict.fromkeys((weight, "Regular"))]
    return tuple(
        FontSpec(f"Noto{style}{name}-{w}.ttf", f"Noto {style} {name}", CORE, required=False)
        for style, w in styles
    )


def primary(lang: str, bold: bool) -> FontSpec:
    """The font a book's own language is set in."""
    fonts = script_fonts(language_script(lang), lang, bold)
    return fonts[0] if fonts else latin(bold)


# Characters that draw nothing (joiners, variation selectors, bidi controls): no font needs them.
_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")


def _scripts(cluster: str) -> list[str]:
    """The scripts a grapheme is written in: its first letter's, else (digits, punctuation)
    those its characters are used with, e.g. Han for "。"."""
    for char in cluster:
        found = ucd.script(char)
        if found not in _COMMON:
            return [found]
    extensions = set().union(*(ucd.script_extension(char) for char in cluster))
    return sorted(extensions - _COMMON)


def candidates(cluster: str, lang: str, bold: bool, own: bool = False) -> list[FontSpec]:
    """Every font that may draw `cluster`, best first: the book's language's (unless the text
    is set in the fonts of its `own` scripts, like the publisher's name on every cover), its
    script's, Latin (digits and punctuation), symbols."""
    fonts = [] if own else [primary(lang, bold)]
    for script in _scripts(cluster):
        fonts.extend(script_fonts(script, lang, bold))
    fonts.extend((latin(bold), *_SYMBOLS))
    return list(dict.fromkeys(fonts))


@dataclass(frozen=True, slots=True)
class Choice:
    font: FontSpec | None
    """The first installed font that has every character of the grapheme; None when none has."""
    absent: tuple[FontSpec, ...]
    """Required fonts that would have been tried but are not installed."""


@fonts_cache(4096)
def choose(cluster: str, lang: str, bold: bool, own: bool, dirs: tuple[str, ...]) -> Choice:
    """The font that draws one grapheme on a cover in `lang`."""
    absent = []
    needed = {ord(char) for char in _IGNORABLE.sub("", cluster)}
    for spec in candidates(cluster, lang, bold, own):
        if locate(spec, dirs) is None:
            if spec.required:
                absent.append(spec)
        elif needed <= charmap(spec, dirs):
            return Choice(spec, tuple(absent))
    return Choice(None, tuple(absent))


def missing_fonts_error(specs: Iterable[FontSpec], dirs: Sequence[str]) -> CoverError:
    """The error that names every missing font and the package that ships it."""
    names = ", ".join(
        f"{s.file} ({s.family}, Debian package {s.package})" for s in sorted(set(specs))
    )
    return CoverError(
        f"cover fonts not found under {', '.join(dirs)}: {names}; install the packages or set"
        " epub.font_dirs"
    )


@fonts_cache()
def locate(spec: FontSpec, dirs: tuple[str, ...]) -> tuple[Path, int] | None:
    """The file of a font and the index of its face (a .ttc holds several), if installed."""
    path = font_files(dirs).get(spec.file)
    if path is None:
        return None
    if path.suffix.lower() != ".ttc":
        return path, 0
    index = 0
    while (name := harfbuzz_adapter.family(str(path), index)) is not None:
        if name == spec.family:
            return path, index
        index += 1
    raise CoverError(f"{path} holds no face of the family {spec.family!r}")


@fonts_cache()
def charmap(spec: FontSpec, dirs: tuple[str, ...]) -> frozenset[int]:
    """The code points the font has a glyph for (its cmap, read by HarfBuzz: fontTools would
    first name every glyph, a tenth of a second per font that a coverage check does not need)."""
    where = locate(spec, dirs)
    if where is None:
        return frozenset()
    path, index = where
    return harfbuzz_adapter.unicodes(str(path), index)


@fonts_cache(256)
def font_file(spec: FontSpec, dirs: tuple[str, ...]) -> tuple[str, int]:
    """The path of an installed font and the index of its face, for the shaper and the
    rasteriser; an error naming the font's package when it is not installed."""
    where = locate(spec, dirs)
    if where is None:
        raise missing_fonts_error([spec], dirs)
    path, index = where
    return str(path), index
