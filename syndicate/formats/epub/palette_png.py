"""Palette PNGs assembled from horizontal bands compressed one at a time, so that a band many
images share (a cover's publisher band) is compressed once and its bytes reused. Pillow's PNG
encoder compresses a whole image at once; this is the one thing it cannot do."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image
from zlib_ng import zlib_ng

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x01"
"""Deflate with a 32 KiB window (RFC 1950): the same for every band."""
_LAST_BLOCK = b"\x03\x00"
"""An empty final deflate block (RFC 1951: BFINAL, fixed codes, end of block)."""
_ADLER = 65521


@dataclass(frozen=True, slots=True)
class Band:
    """Rows of an image as a piece of a zlib stream: deflate blocks that end on a byte boundary
    and refer to nothing before them, so bands can be put one after another."""

    width: int
    height: int
    deflated: bytes
    adler: int
    """Adler-32 of the band's filtered rows, to make the stream's checksum from the bands'."""
    size: int
    """Bytes of filtered rows."""


def band(image: Image.Image, rows: bool = False) -> Band:
    """A grayscale image whose values are palette indices, as a band. Each row gets PNG filter
    0 (none): on flat colour and text, run-length deflate packs as well without filters as with
    them, at a fraction of the cost. With `rows`, the image's first column already holds the
    filter bytes (zeros), and the band is the rest."""
    if image.mode != "L":
        raise ValueError(f"a band holds palette indices as mode L, not {image.mode}")
    if rows:
        if image.width < 2 or image.crop((0, 0, 1, image.height)).getbbox() is not None:
            raise ValueError("the first column of rows is their filter bytes: zeros")
        raw = image.tobytes()
        width = image.width - 1
    else:
        filtered = Image.new("L", (image.width + 1, image.height), 0)
        filtered.paste(image, (1, 0))
        raw = filtered.tobytes()
        width = image.width
    # zlib-ng's run-length deflate writes the bytes the system zlib's wrote before (so a
    # cover's bytes did not change; `tests/test_fast_paths.py` compares the two) in three
    # fifths of the time, and its checksum (SIMD) takes a twentieth of the time.
    packer = zlib_ng.compressobj(9, zlib_ng.DEFLATED, -15, 8, zlib_ng.Z_RLE)
    deflated = packer.compress(raw) + packer.flush(zlib_ng.Z_SYNC_FLUSH)
    return Band(width, image.height, deflated, zlib_ng.adler32(raw), len(raw))


def png(bands: Sequence[Band], palette: Sequence[int]) -> bytes:
    """A PNG of 8-bit palette indices (colour type 3), the bands top to bottom; `palette` is
    red, green, blue for each index."""
    width = bands[0].width
    if any(b.width != width for b in bands):
        raise ValueError("bands of different widths")
    height = sum(b.height for b in bands)
    checksum = 1
    for piece in bands:
        checksum = _adler32_combine(checksum, piece.adler, piece.size)
    stream = b"".join(
        [_ZLIB_HEADER, *(b.deflated for b in bands), _LAST_BLOCK, struct.pack(">I", checksum)]
    )
    return b"".join(
        [
            _SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)),
            _chunk(b"PLTE", bytes(palette)),
            _chunk(b"IDAT", stream),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib_ng.crc32(kind + data))
    )


def _adler32_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 of two byte strings one after the other, from theirs and the second's
    length (zlib's adler32_combine, which Python does not expose)."""
    rem = length % _ADLER
    low = first & 0xFFFF
    high = (rem * low) % _ADLER
    low = (low + (second & 0xFFFF) + _ADLER - 1) % _ADLER
    high = (high + (first >> 16) + (second >> 16) + _ADLER - rem) % _ADLER
    return low | (high << 16)
