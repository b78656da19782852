"""Reading out/ for `syndicate validate --outputs`, which may find anything there: a FIFO, a link,
a device, a file planted to exhaust memory or the stack. Only regular files are read, each
within a size limit; JSON within a nesting limit; zip members only when their declared sizes,
methods and flags are ones syndicate writes. Every refusal is a diagnostic, never a hang or a
traceback."""

from __future__ import annotations

import json
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.xmlbase import safe_parser

MAX_OUTPUT_BYTES = 256 * 1024 * 1024
"""Far above anything syndicate writes (a feed, a page, a book)."""
MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""One member of an EPUB, uncompressed: a chapter, a cover, an image."""
MAX_BOOK_BYTES = 512 * 1024 * 1024
"""All members of an EPUB together, uncompressed, past which a book is refused when they
are also over `MAX_BOOK_RATIO` times what its zip stores (a zip bomb). An edition that
carries its stories' photos, stored as they are, may hold more (a day of a busy newsroom:
each story may have 64 MiB of images): reading it costs no more than the file's size."""
MAX_BOOK_RATIO = 20
"""How many times what a book's zip stores its members may declare, uncompressed, past
`MAX_BOOK_BYTES`: text deflates to a quarter or a fifth, images are stored as they are."""
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
"""The only methods the EPUB (OCF) specification allows."""

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFLNK: "a link",
    stat.S_IFDIR: "a folder",
}


def output_files(
    out: Path, folder: str, suffixes: tuple[str, ...], diags: Diagnostics, *, deep: bool = True
) -> list[Path]:
    """The regular files under out/`folder` (and its subfolders, if `deep`) whose names end
    in one of `suffixes` (all files if empty), sorted. Anything else with such a name (a link,
    a FIFO) is reported and left unread: syndicate never writes one. Links to folders are
    not followed."""
    found: list[Path] = []
    for path in _walk(out / folder, deep):
        if suffixes and not path.name.endswith(suffixes):
            continue
        kind = _kind(path)
        if kind is None:
            found.append(path)
        else:
            diags.warning(
                "output.not-regular",
                f"{kind}, not a file: not checked (syndicate never writes one; remove it)",
                str(path),
            )
    return sorted(found)


def _walk(top: Path, deep: bool) -> Iterator[Path]:
    for base, dirs, names in os.walk(top):
        links = [name for name in dirs if os.path.islink(os.path.join(base, name))]
        for name in [*names, *links]:
            yield Path(base, name)
        if not deep:
            return
        dirs.sort()


def _kind(path: Path) -> str | None:
    """None for a regular file; else what it is."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "missing"
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "not a file")


def read_output(path: Path, diags: Diagnostics, limit: int = MAX_OUTPUT_BYTES) -> bytes | None:
    """The bytes of a regular file of out/, or None after reporting why not. The file is
    opened without following links and without blocking, then checked again: a FIFO put in
    place after it was listed cannot hang the check."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        diags.error("output.read", f"cannot read it: {exc.strerror or exc}", str(path))
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            diags.warning("output.not-regular", "not a regular file: not checked", str(path))
            return None
        if info.st_size > limit:
            diags.error(
                "output.too-large",
                f"{info.st_size:,} bytes: over the {limit:,} bytes syndicate ever writes in"
                " one file; not read",
                str(path),
            )
            return None
        return handle.read(limit + 1)[:limit]


def parse_xml(path: Path, diags: Diagnostics) -> etree._ElementTree | None:
    """A well-formed XML file of out/, or None after reporting where it is broken."""
    data = read_output(path, diags)
    return None if data is None else xml_tree(data, str(path), diags)


def xml_tree(data: bytes, shown: str, diags: Diagnostics) -> etree._ElementTree | None:
    try:
        return etree.ElementTree(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError as exc:
        diags.error("output.xml", f"not well-formed XML: {exc.msg}", f"{shown}:{exc.lineno}")
        return None


def parse_json(path: Path, diags: Diagnostics) -> Any:
    """A JSON file of out/, or None after reporting why it is not valid."""
    data = read_output(path, diags)
    return None if data is None else json_value(data, str(path), diags)


def json_value(data: bytes | str, shown: str, diags: Diagnostics) -> Any:
    """The JSON value of `data`, or None after reporting why it is not JSON as RFC 8259 has it
    (`NaN` and `Infinity`, which Python reads, are not JSON)."""
    try:
        return json.loads(data, parse_constant=_not_json)
    except RecursionError:
        diags.error("output.json", "not valid JSON: nested too deeply", shown)
    except _NotJson as exc:
        diags.error("output.json", f"not valid JSON: {exc} is not a JSON number", shown)
    except (ValueError, UnicodeDecodeError) as exc:
        text = str(exc)
        if "integer string conversion" in text:  # Python's guard against huge numbers
            text = "a number with more digits than any file syndicate writes"
        diags.error("output.json", f"not valid JSON: {text}", shown)
    return None


def is_uri(value: str) -> bool:
    """Whether `value` is a URI as RFC 3986 has it: ASCII only, every other character
    percent-encoded (`https://x.example/%D9%85.png`, not the IRI `https://x.example/م.png`).
    For the fields a schema declares `"format": "uri"`: the Python jsonschema checks that
    format only when the optional rfc3987 package is installed, so a consumer that has it
    refuses what a check without it let through; jsonschema-rs, which syndicate depends on,
    always checks it."""
    return bool(_uri_validator().is_valid(value))


@cache
def _uri_validator() -> Any:
    import jsonschema_rs

    schema = {"type": "string", "format": "uri"}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def json_strings(data: Any, keys: frozenset[str]) -> Iterator[tuple[str, str]]:
    """The text values under any of `keys` anywhere in a JSON value, with their places
    (`associations[0].renditions[0].href`), in document order; without recursion, so a file
    nested deep does not exhaust the stack."""
    todo: list[tuple[str, Any, bool]] = [("", data, False)]
    while todo:
        place, value, wanted = todo.pop()
        if isinstance(value, dict):
            items = reversed(value.items())
            todo.extend((f"{place}.{k}" if place else k, v, k in keys) for k, v in items)
        elif isinstance(value, list):
            todo.extend((f"{place}[{n}]", value[n], False) for n in reversed(range(len(value))))
        elif wanted and isinstance(value, str):
            yield place, value


class _NotJson(ValueError):
    pass


def _not_json(constant: str) -> Any:
    raise _NotJson(constant)


def open_zip(path: Path, diags: Diagnostics) -> zipfile.ZipFile | None:
    """A zip file of out/ (a book) whose members may all be read: each stored or deflated,
    not encrypted, within the size limits by what its header declares (reading stops there).
    None after reporting what is wrong."""
    if _kind(path) is not None:
        read_output(path, diags)  # reports it
        return None
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        diags.error("epub.zip", f"not a zip file: {exc}", str(path))
        return None
    problems = list(_zip_problems(archive.infolist(), path.stat().st_size))
    for problem in problems:
        diags.error("epub.zip", problem, str(path))
    if problems:
        archive.close()
        return None
    return archive


def _zip_problems(infos: list[zipfile.ZipInfo], size: int) -> Iterator[str]:
    """What keeps a book's members from being read. A member's compressed size is its own
    word: a zip bomb lists one deflated member many times, each declaring as many bytes
    compressed as uncompressed, so what deflated members declare is also weighed against
    the file's `size`."""
    total = stored = deflated = 0
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            yield f"member {name} is encrypted: a reading system cannot open it"
        if info.compress_type not in ZIP_METHODS:
            yield (
                f"member {name} uses compression method {info.compress_type}; EPUB allows"
                " only stored or deflated"
            )
        if info.file_size > MAX_MEMBER_BYTES:
            yield (
                f"member {name} declares {info.file_size:,} bytes uncompressed: over the"
                f" {MAX_MEMBER_BYTES:,} a book member may hold; not read"
            )
        total += info.file_size
        stored += info.compress_size
        if info.compress_type == zipfile.ZIP_DEFLATED:
            deflated += info.file_size
    if total > MAX_BOOK_BYTES and total > MAX_BOOK_RATIO * stored:
        yield (
            f"its members declare {total:,} bytes uncompressed from {stored:,} stored: over"
            f" {MAX_BOOK_BYTES:,}, and over {MAX_BOOK_RATIO} times what the zip stores"
        )
    elif deflated > MAX_BOOK_BYTES and deflated > MAX_BOOK_RATIO * size:
        yield (
            f"its deflated members declare {deflated:,} bytes uncompressed from a file of"
            f" {size:,}: over {MAX_BOOK_BYTES:,}, and over {MAX_BOOK_RATIO} times the file"
        )


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, diags: Diagnostics
) -> bytes | None:
    """One member of a zip `open_zip` accepted; None after reporting a damaged member."""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        diags.error("epub.zip", f"member {info.filename} cannot be read: {exc}", shown)
        return None
