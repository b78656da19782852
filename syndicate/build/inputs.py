"""What a build reads, and the content hashes that name it: the story folders, the site
configuration with the files it points to, the selected languages and syndicate's own code.
A unit of work is redone exactly when the hash of its inputs changes.

A story's key is made of what its reading actually read (`StoryFiles`): the folder's listing
and text files (its text key), then the images its texts list, with their SHA-256. A run
hashes the texts, and the images the state says those texts use; files the story does not
use are never opened."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import syndicate
from syndicate.formats.contract import SiteInput
from syndicate.model.site import SiteConfig
from syndicate.readers import budgets
from syndicate.readers.folders import story_folders
from syndicate.readers.fontfolders import DEFAULT_FONT_DIRS, fonts_now
from syndicate.readers.safefile import Refused, digest_checked
from syndicate.readers.staticfiles import own_files
from syndicate.readers.storyfiles import StoryFiles, plain_kind

if TYPE_CHECKING:
    from syndicate.model import Story


def digest(*parts: str | bytes) -> str:
    """A SHA-256 of the parts; each is length-prefixed, so ("ab", "c") differs from ("a", "bc").
    A file name that is not UTF-8 (Python gives its bytes as lone surrogates) is hashed as it
    is: such a story is refused with a message, never a traceback."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def sources_key(files: StoryFiles, images: tuple[tuple[str, str], ...]) -> str:
    """The key of a story folder's listing, texts and images alone: not of the configuration
    or syndicate's code (as the text key is), nor of the folder's name. The same when
    nothing in the folder changed, so a story whose reading gives another story at the same
    version can be told apart: an edit, or another syndicate reading it (an upgrade)."""
    return digest("sources", *files.parts(), *(part for pair in images for part in pair))


@cache
def code_digest() -> str:
    """syndicate's version and its own files (code, schemas, terms): an edited installation
    invalidates every cached output, not only a new release."""
    parts: list[str | bytes] = [syndicate.__version__]
    for package in ("syndicate", "syndicate.schemas"):
        root = str(resources.files(package))
        for rel in _package_files(root):
            with open(os.path.join(root, rel), "rb") as file:
                parts += [package, rel, file.read()]
    return digest(*parts)


def plugin_packages(writers: Iterable[object]) -> tuple[str, ...]:
    """The top-level packages of the writers that are not syndicate's own (plugins); a
    writer of the running script (`__main__`) travels whole, not by its package's name."""
    found = {type(writer).__module__.partition(".")[0] for writer in writers}
    return tuple(sorted(found - {"syndicate", "__main__"}))


@cache
def package_digest(name: str) -> str:
    """The files of the installed package (or module) `name`, as `code_digest` takes
    syndicate's; "" when it cannot be imported or has no files."""
    import importlib

    try:
        module = importlib.import_module(name)
    except ImportError:
        return ""
    folders = list(getattr(module, "__path__", None) or [])
    parts: list[str | bytes] = [name]
    try:
        if not folders and getattr(module, "__file__", None):
            with open(module.__file__, "rb") as file:  # type: ignore[arg-type]
                parts.append(file.read())
        for root in folders:
            for rel in _package_files(root):
                with open(os.path.join(root, rel), "rb") as file:
                    parts += [rel, file.read()]
    except OSError:
        return ""
    return digest(*parts)


def _package_files(root: str) -> list[str]:
    """The files under `root` but in `__pycache__`, as POSIX paths relative to it, in the
    order `sorted(Path(root).rglob("*"))` gives them (by their parts), without pathlib's cost
    (this runs on every export): links to folders are not followed, links to files are read,
    what is not a regular file (a broken link, a FIFO) is left out."""
    found = []
    for top, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        rel = os.path.relpath(top, root)
        for name in names:
            if os.path.isfile(os.path.join(top, name)):
                found.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(found, key=lambda path: path.split("/"))


def config_digest(config_file: Path, config: SiteConfig, languages: Sequence[str]) -> str:
    """The configuration file, the publisher's logo and icon (as the configuration read them),
    the site's own phrases, the run's languages and the code: what every format reads. The
    site's templates are not among them (`site_inputs_digest`), nor the covers' fonts, which
    the build's key takes however the configuration was given (`cover_fonts_now`)."""
    parts: list[str | bytes] = [code_digest(), _digest_or_problem(config_file), *languages]
    publisher = config.publisher
    # The logo's and icon's bytes as the configuration read them, whose digests their URLs
    # carry: a file replaced after that is a change the next run sees, never a key saying
    # the new bytes over files naming the old.
    assets = ((publisher.logo, publisher.logo_sha256), (publisher.icon, publisher.icon_sha256))
    for asset, sha256 in assets:
        if asset is not None:
            parts += [str(asset), sha256 or _digest_or_problem(Path(asset))]
    if config.terms:  # the site's phrases, as read (a file's comments change nothing)
        parts.append(repr(sorted((tag, sorted(t.items())) for tag, t in config.terms.items())))
    return digest(*parts)


def cover_fonts_now(config: SiteConfig) -> str | None:
    """The stamp of the covers' font folders (`epub.font_dirs`, None for a wrong value: an
    error of its own), each of this process's builds: fonts installed since it found them
    are found again (`fontfiles.fonts_now`, once the EPUB format is imported)."""
    font_dirs = config.section("epub").get("font_dirs", DEFAULT_FONT_DIRS)
    return fonts_now(tuple(font_dirs)) if isinstance(font_dirs, list | tuple) else None


def site_inputs_digest(config: SiteConfig, inputs: Iterable[SiteInput]) -> str:
    """What a format reads of the site besides the configuration (`Writer.site_inputs`), ""
    for a format that reads nothing more: it goes into that format's keys alone, so an edit
    of a template makes the HTML pages again and leaves every other format's files be."""
    parts: list[str | bytes] = []
    for name in sorted(set(inputs)):
        parts += [name, _templates_digest(config.templates)]
    return digest(*parts) if parts else ""


def every_site_input(config: SiteConfig) -> str:
    """The digest of every file of the site that a format may read beyond the configuration
    (`SiteInput`), whichever formats run: a run that would change nothing (`unchanged`)
    finds them as they were."""
    return site_inputs_digest(config, get_args(SiteInput))


def _templates_digest(templates: Path | None) -> str:
    """Every file of the site's `templates/` folder by its path and content ("" without one)."""
    if templates is None:
        return ""
    parts: list[str | bytes] = []
    for rel, path in own_files(templates):  # an editor's swap file changes nothing
        parts += [rel, _digest_or_problem(path)]
    return digest(*parts)


@dataclass(frozen=True, slots=True)
class StoryInput:
    """Where one story of a build comes from: a story folder (the usual case), or a story the
    caller has already built (the Python API: a CMS that makes its own `Story` objects)."""

    folder: Path | None = None
    story: Story | None = None
    real: Path | None = field(default=None, compare=False)
    """The folder's real path (no link in it), when the articles folder's listing told it
    (`folder_inputs`): its files are not resolved from the file system's root again."""

    @property
    def name(self) -> str:
        """The story's folder name, or its slug."""
        if self.folder is not None:
            return self.folder.name
        assert self.story is not None
        return self.story.slug

    def files(self) -> StoryFiles | None:
        """The story folder's listing and text files, read now (None for a story object)."""
        return StoryFiles(self.folder, root=self.real) if self.folder is not None else None

    def listing(self) -> StoryFiles | None:
        """The story folder's listing with its text files' signatures, the texts not read
        (None for a story object)."""
        if self.folder is None:
            return None
        return StoryFiles(self.folder, read=False, root=self.real)

    def text_key(self, config_key: str, files: StoryFiles | None) -> str:
        """The hash of the story's texts as `files` read them, under the run's configuration."""
        if files is not None:
            return folder_text_key(config_key, str(files.folder), files)
        # A story object: its repr holds every field, images by their content hash.
        return digest(config_key, repr(self.story))


def folder_text_key(config_key: str, folder: str, files: StoryFiles) -> str:
    """The text key of a story folder named `folder` whose texts `files` read (wherever they
    were read: a Dask worker reads a copy of the folder under another name)."""
    return digest(config_key, folder, *files.parts())


def signature_key(config_key: str, files: StoryFiles) -> str | None:
    """What finds a story folder's text key without reading its texts (see
    `StoryFiles.signatures`): None when the folder must be read."""
    signatures = files.signatures()
    if signatures is None:
        return None
    return digest("signatures", config_key, str(files.folder), *signatures)


def story_key(text_key: str, images: Iterable[tuple[str, str]]) -> str:
    """The hash of everything a story is made of: its texts and the images they list."""
    return digest(text_key, *(part for image in sorted(images) for part in image))


def folder_inputs(articles: Path) -> list[StoryInput]:
    """The story folders of `articles`, in order (a link to nothing or out of it among them:
    its reading says so, `StoryFiles`). A folder that is not a link is inside it, its real
    path the articles folder's and its name (what resolving it would find, without looking
    up each part of the path again)."""
    root = articles.resolve()
    plain = _plain_folders(articles)
    return [
        StoryInput(folder=folder, real=root / folder.name if folder.name in plain else None)
        for folder in story_folders(articles)
    ]


def _plain_folders(articles: Path) -> frozenset[str]:
    """The names of the folders of `articles` that are not links."""
    try:
        with os.scandir(articles) as listing:
            return frozenset(e.name for e in listing if plain_kind(e) == "dir")
    except OSError:
        return frozenset()


def _digest_or_problem(path: Path) -> str:
    """A checked file's SHA-256, read in chunks; the reader reports a file it refuses."""
    try:
        return digest_checked(path, None, budgets.MAX_IMAGE_BYTES)
    except Refused as exc:
        return f"!{exc.code}"
