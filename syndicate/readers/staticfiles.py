"""The static files of a site's `templates/` folder: every file there that is not a template
(the `.html` templates and `style.css`) is published as it is under `out/html/`, at the same
path (`templates/fonts/brand.woff2` becomes `out/html/fonts/brand.woff2`), so a template or
the stylesheet links it by the same relative URL from every page. Hugo calls such a folder
`static/`; here it is the folder a designer already works in, where `style.css`, whose
`url(...)`s these files answer, lives.

Each file is checked as any input is (a regular file with one name, inside the site after
links, within the image budget), and its bytes must be what its name says: images decode,
fonts start as fonts do, scripts and stylesheets are UTF-8 text. A type that can carry
script run as a page of the site (SVG, XML, XHTML) is not published: a page's own script is
written in a template, where it is reviewed as one."""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

from syndicate.diagnostics import Diagnostics
from syndicate.model.site import TEMPLATES, is_left_aside, is_template
from syndicate.readers import budgets
from syndicate.readers.images import ImageProblem, inspect_image
from syndicate.readers.safefile import (
    Refused,
    outside,
    read_checked,
    site_refusal,
    status_checked,
)

RESERVED = ("media/",)
"""Where the HTML format publishes story images, the logo and the icon: no static file goes
there."""
_IMAGES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
_FONTS = {
    ".woff": (b"wOFF",),
    ".woff2": (b"wOF2",),
    ".ttf": (b"\x00\x01\x00\x00", b"true"),
    ".otf": (b"OTTO",),
}
_TEXTS = frozenset({".css", ".js", ".mjs", ".txt", ".json", ".webmanifest"})
_AVIF = ".avif"
"""AVIF images: decoded by Pillow's own plugin (never a story's image: EPUB readers and
feed clients do not all take AVIF; a page's `<picture>` may offer it)."""
_SCRIPTED = frozenset({".svg", ".svgz", ".xml", ".xhtml", ".htm", ".xsl", ".xslt"})
TYPES = sorted(_IMAGES | _FONTS.keys() | _TEXTS | {".ico", _AVIF})
"""The kinds of file published, by their extension."""


def own_files(folder: Path) -> list[tuple[str, Path]]:
    """The regular files of a site folder (`templates/`, `terms/`) that are the site's, as
    (POSIX path relative to `folder`, path), in path order: hidden files and editors' backups
    (`is_left_aside`) are none of its templates or phrases, and their edits change nothing.
    What the build's digest of the templates, the workers' copy of them and the preview's
    watch read. (`static_files` walks on its own: it warns of what it cannot publish, a FIFO
    or a link to nothing among them, which this leaves out.)"""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not is_left_aside(rel) and path.is_file():
            found.append((rel, path))
    return found


def static_files(templates: Path, site: Path, diags: Diagnostics) -> tuple[str, ...]:
    """The static files of `templates` (POSIX paths relative to it, sorted) that are
    published; each one that is not is a `config.static` warning saying why. Hidden files
    and editors' backups (`.name`, `name~`) are left out silently."""
    found = []
    for top, dirs, names in os.walk(templates):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(top, name)
            rel = path.relative_to(templates).as_posix()
            if is_template(rel) or is_left_aside(rel):
                continue
            problem = _name_problem(rel) or _problem(path, rel, site)
            if problem is None:
                found.append(rel)
            else:
                shown = f"{TEMPLATES}/{rel}"
                diags.warning("config.static", f"not published: {problem}", shown)
    return tuple(sorted(found, key=lambda rel: rel.split("/")))


def templates_ok(templates: Path, site: Path, diags: Diagnostics) -> bool:
    """Whether every template of `templates` (its `.html` files and `style.css`) may be read,
    checked as a story's files are, without opening one: a regular file with one name on disk,
    inside the site folder `site` after links, within the text budget. Each one that may not
    is an error naming it (Jinja would follow a link anywhere, and block on a FIFO or leave it
    out silently). A link inside the site folder is fine, as for the static files; a folder
    linked from outside it is an error too, as what it holds would be read as templates."""
    root = site.resolve()
    ok = True
    for top, dirs, names in os.walk(templates):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [*dirs, *sorted(names)]:
            path = Path(top, name)
            rel = path.relative_to(templates).as_posix()
            if is_left_aside(rel) or (name not in dirs and not is_template(rel)):
                continue
            try:
                if name in dirs:
                    if not path.resolve().is_relative_to(root):
                        raise Refused("story.outside", "")
                else:
                    status_checked(path, root, budgets.MAX_TEXT_BYTES)
            except Refused as exc:
                code, message = site_refusal(exc)
                diags.error(code, message, f"{TEMPLATES}/{rel}")
                ok = False
    return ok


def _name_problem(rel: str) -> str | None:
    """What makes a file's name unfit for an address (a byte that is no UTF-8, a control or
    invisible character, a backslash), or None."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not UTF-8 text; rename it"
    bad = next((c for c in rel if c == "\\" or unicodedata.category(c) in _UNFIT), None)
    if bad is not None:
        return f"its name holds the character U+{ord(bad):04X}, unfit for an address; rename it"
    return None


_UNFIT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Control, format (invisible), surrogate, private-use and unassigned characters, and line
and paragraph separators."""


def _problem(path: Path, rel: str, site: Path) -> str | None:
    suffix = Path(rel).suffix.lower()
    if rel.startswith(RESERVED):
        return "media/ holds the story images, the logo and the icon; move it to another folder"
    if suffix in _SCRIPTED:
        return (
            f"a {suffix} file can carry script that runs as a page of the site; put it in a"
            " template (an SVG inline in base.html) or convert it to PNG"
        )
    if suffix not in TYPES:
        kind = suffix or "a file without an extension"
        return f"{kind} is not a kind of file published ({', '.join(TYPES)})"
    try:
        data = read_checked(path, site.resolve(), budgets.MAX_IMAGE_BYTES)
    except Refused as exc:
        return (
            f"file is {outside('the site folder')}" if exc.code == "story.outside" else exc.message
        )
    return _content_problem(data, suffix)


def _content_problem(data: bytes, suffix: str) -> str | None:
    """What is wrong with `data` as a file of its kind (`suffix`), or None."""
    if suffix in _IMAGES:
        try:
            inspect_image(data)
        except ImageProblem as exc:
            return str(exc)
    elif suffix in _FONTS:
        if not data.startswith(_FONTS[suffix]):
            return f"not a {suffix[1:].upper()} font"
    elif suffix == _AVIF:
        return _avif_problem(data)
    elif suffix == ".ico":
        if data.startswith(b"\x89PNG\r\n\x1a\n"):  # (a PNG saved under the icon's name)
            return (
                "a PNG image, not an icon (ICO) file: rename it with .png and link it as"
                ' <link rel="icon" href="favicon.png"> in base.html, or convert it to ICO'
            )
        if not data.startswith(b"\x00\x00\x01\x00"):
            return "not an icon (ICO) file"
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "not UTF-8 text"
    return None


def _avif_problem(data: bytes) -> str | None:
    """What is wrong with `data` as an AVIF image (damaged, another format, over the pixel
    budget), or None: decoded whole, as a story's photo is. An animated one (an image
    sequence) is counted and decoded frame by frame, as an animated WebP or GIF is: its
    first frame alone let any number of frames through."""
    from PIL import Image, UnidentifiedImageError

    if not _decodes_avif():
        return (
            "this Pillow cannot decode AVIF images, so it cannot be checked (AVIF support"
            " came in Pillow 11.2, and needs libavif): upgrade Pillow (pip install -U Pillow),"
            " or offer the image as WebP or PNG"
        )
    try:
        with Image.open(io.BytesIO(data), formats=("AVIF",)) as img:
            width, height = img.size
            frames = int(getattr(img, "n_frames", 1) or 1)
            if frames > budgets.MAX_IMAGE_FRAMES:
                return (
                    f"the image has more than {budgets.MAX_IMAGE_FRAMES:,} frames, the most an"
                    " image may have (each is decoded); make the animation shorter, or publish"
                    " it as a video"
                )
            if width * height * frames > budgets.MAX_IMAGE_PIXELS:
                size = f"{width}x{height} pixels" + (f" in {frames} frames" if frames > 1 else "")
                return (
                    f"the image is {size}, more than the {budgets.MAX_IMAGE_PIXELS:,} allowed;"
                    " make it smaller"
                )
            for index in range(frames):
                if index:
                    img.seek(index)
                img.load()
    except UnidentifiedImageError:
        return "not an AVIF image"
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return f"the AVIF file is damaged ({exc}); export it again"
    return None


def _decodes_avif() -> bool:
    """Whether the installed Pillow decodes AVIF: its plugin came in 11.2 (the project allows
    older ones, where `Image.open(formats=("AVIF",))` raises a KeyError), and a Pillow built
    without libavif has the plugin but not the decoder (every AVIF would be "not an AVIF
    image")."""
    try:
        from PIL import AvifImagePlugin
    except ImportError:
        return False
    return bool(getattr(AvifImagePlugin, "SUPPORTED", False))
