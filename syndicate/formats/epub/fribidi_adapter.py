"""The Unicode bidi algorithm from GNU FriBiDi, the library Pillow's text shaper (libraqm) already
loads from the system, called through ctypes: the embedding level of every character."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Literal

BaseDirection = Literal["ltr", "rtl", "auto"]

# fribidi-bidi-types.h: a paragraph type is a character type (MASK_STRONG | MASK_LETTER, with
# MASK_RTL for right to left); "other neutral" asks for the direction of the first strong
# character (rules P2-P3), left to right when there is none.
_PARAGRAPH = {"ltr": 0x110, "rtl": 0x111, "auto": 0x40}
_NAMES = {
    "darwin": ("libfribidi.0.dylib", "libfribidi.dylib"),
    "win32": ("fribidi-0.dll", "libfribidi-0.dll"),
}


class FribidiMissing(OSError):
    """GNU FriBiDi is not installed."""


def system_libraries(
    names: Iterable[str | Callable[[], str | None] | None],
) -> Iterator[tuple[str, ctypes.CDLL]]:
    """Each of the named shared libraries that loads, with its name, in order; a name may be
    a function giving it, called only when the names before it did not do."""
    for named in names:
        name = named() if callable(named) else named
        if not name:
            continue
        try:
            yield name, ctypes.CDLL(name)
        except OSError:
            continue


def version() -> str:
    """The FriBiDi library's version (`fribidi_version_info`'s first line, `(GNU FriBidi)
    1.0.13`), or "not installed"."""
    try:
        info = ctypes.c_char_p.in_dll(_library(), "fribidi_version_info").value or b""
    except (FribidiMissing, ValueError):  # (ValueError: a library without the symbol)
        return "not installed"
    return info.decode("ascii", "replace").splitlines()[0].rpartition(" ")[2]


@cache
def _library() -> ctypes.CDLL:
    """libfribidi, by the names Pillow looks for, then wherever the system says it is (asked
    only when none of those loads: on Linux `find_library` runs `ldconfig -p`, a process of
    its own, 2 to 10 ms of every edition's cover)."""
    names = [*_NAMES.get(sys.platform, ("libfribidi.so.0",)), _found]
    for _, lib in system_libraries(names):
        array = ctypes.POINTER(ctypes.c_uint32)
        lib.fribidi_get_bidi_types.argtypes = [array, ctypes.c_int, array]
        lib.fribidi_get_bidi_types.restype = None
        lib.fribidi_get_bracket_types.argtypes = [array, ctypes.c_int, array, array]
        lib.fribidi_get_bracket_types.restype = None
        lib.fribidi_get_par_embedding_levels_ex.argtypes = [
            array,
            array,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_uint32),
            ctypes.POINTER(ctypes.c_int8),
        ]
        lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
        return lib
    raise FribidiMissing("GNU FriBiDi (libfribidi) is not installed")


def _found() -> str | None:
    """Where the system says libfribidi is, or None."""
    return ctypes.util.find_library("fribidi")


def check() -> None:
    """Raises FribidiMissing when the library cannot be loaded."""
    _library()


def embedding_levels(text: str, base: BaseDirection) -> list[int]:
    """The resolved level of each character of one paragraph (rules P2 to I2 of UAX #9, with
    brackets and isolates): even is left to right, odd right to left."""
    if not text:
        return []
    lib = _library()
    size = len(text)
    chars = (ctypes.c_uint32 * size).from_buffer_copy(text.encode("utf-32-le"))
    types = (ctypes.c_uint32 * size)()
    brackets = (ctypes.c_uint32 * size)()
    levels = (ctypes.c_int8 * size)()
    lib.fribidi_get_bidi_types(chars, size, types)
    lib.fribidi_get_bracket_types(chars, size, types, brackets)
    direction = ctypes.c_uint32(_PARAGRAPH[base])
    if not lib.fribidi_get_par_embedding_levels_ex(
        types, brackets, size, ctypes.byref(direction), levels
    ):
        raise MemoryError("FriBiDi could not resolve the embedding levels")
    return list(levels)
