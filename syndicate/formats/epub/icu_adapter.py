"""Line breaks of scripts written without spaces between words (Thai, Lao, Khmer, Burmese),
from ICU's line break iterator, which finds them with its word dictionaries, called through
ctypes from the system's ICU (libicuuc, Debian's `libicu72` or later; the `icu` packages of
other systems): the places a cover's title may break inside such a run of text. Without ICU,
`line_breaks` gives None, and those runs break only at spaces (or, wider than a line, between
graphemes)."""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import sys
from functools import cache, lru_cache

from syndicate.formats.epub.fribidi_adapter import system_libraries

_LINE = 2
"""UBRK_LINE (ubrk.h): line break opportunities (UAX #14, with ICU's dictionaries)."""
_DONE = -1
"""UBRK_DONE: no more boundaries."""
_NAMES = {"darwin": ("libicucore.dylib",), "win32": ("icuuc.dll", "icu.dll")}


class _Icu:
    """The four functions of ICU's C API used here, bound by their versioned names."""

    def __init__(self, lib: ctypes.CDLL, suffix: str) -> None:
        self.open = getattr(lib, "ubrk_open" + suffix)
        self.open.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_void_p,
            ctypes.c_int32,
            ctypes.POINTER(ctypes.c_int),
        ]
        self.open.restype = ctypes.c_void_p
        self.first = getattr(lib, "ubrk_first" + suffix)
        self.next = getattr(lib, "ubrk_next" + suffix)
        for function in (self.first, self.next):
            function.argtypes = [ctypes.c_void_p]
            function.restype = ctypes.c_int32
        self.close = getattr(lib, "ubrk_close" + suffix)
        self.close.argtypes = [ctypes.c_void_p]
        self.close.restype = None
        self.version = getattr(lib, "u_getVersion" + suffix, None)
        if self.version is not None:
            self.version.argtypes = [ctypes.POINTER(ctypes.c_uint8 * 4)]
            self.version.restype = None


@cache
def _icu() -> _Icu | None:
    """The system's ICU, or None. Its C functions carry the library's major version
    (`ubrk_open_72`), unless it was built without (macOS's libicucore)."""
    names = [*_NAMES.get(sys.platform, ()), ctypes.util.find_library("icuuc")]
    for name, lib in system_libraries(names):
        versions = re.findall(r"\d+", name.rsplit("/", 1)[-1])
        for suffix in [*(f"_{v}" for v in versions[:1]), "", *(f"_{v}" for v in range(90, 49, -1))]:
            try:
                return _Icu(lib, suffix)
            except AttributeError:
                continue
    return None


def version() -> str:
    """The ICU library's version (`u_getVersion`), or "not installed"."""
    icu = _icu()
    if icu is None:
        return "not installed"
    if icu.version is None:
        return "unknown"
    parts = (ctypes.c_uint8 * 4)()
    icu.version(ctypes.byref(parts))
    return ".".join(str(part) for part in parts).removesuffix(".0")


def available() -> bool:
    """Whether ICU can be called."""
    return _icu() is not None


@lru_cache(maxsize=512)
def line_breaks(text: str, lang: str) -> frozenset[int] | None:
    """The indexes of `text` (Python's, by code point) before which a line may break, as ICU's
    line break iterator finds them for the language `lang`; None without ICU."""
    icu = _icu()
    if icu is None:
        return None
    data = text.encode("utf-16-le")
    units = len(data) // 2
    buffer = ctypes.create_string_buffer(data, len(data) + 2)
    status = ctypes.c_int(0)
    locale = lang.replace("-", "_").encode("ascii", "replace")
    iterator = icu.open(_LINE, locale, buffer, units, ctypes.byref(status))
    if not iterator or status.value > 0:
        return None
    try:
        # ICU counts UTF-16 code units: a character beyond the BMP (an emoji) is two.
        index, at = {}, 0
        for i, char in enumerate(text):
            index[at] = i
            at += 2 if ord(char) > 0xFFFF else 1
        found = set()
        icu.first(iterator)
        while (boundary := icu.next(iterator)) != _DONE:
            if 0 < boundary < units and boundary in index:
                found.add(index[boundary])
        return frozenset(found)
    finally:
        icu.close(iterator)
