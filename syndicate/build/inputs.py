"""What a build reads, and the content hashes that name it: the story folders, the site
configuration with the files it points to, the selected languages and syndicate's own code.
A unit of work is redone exactly when the hash of its inputs changes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import syndicate
from syndicate.diagnostics import Diagnostics
from syndicate.model import SiteConfig, Story
from syndicate.readers.articles import shown_path, story_folders


def digest(*parts: str | bytes) -> str:
    """A SHA-256 of the parts; each is length-prefixed, so ("ab", "c") differs from ("a", "bc")."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@cache
def code_digest() -> str:
    """syndicate's version and its own files (code, schemas, terms): an edited installation
    invalidates every cached output, not only a new release."""
    parts: list[str | bytes] = [syndicate.__version__]
    for package in ("syndicate", "syndicate.schemas"):
        root = Path(str(resources.files(package)))
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [package, path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def config_digest(config_file: Path, config: SiteConfig, languages: Sequence[str]) -> str:
    """The configuration file, the publisher's logo and icon, the site's own templates, the
    run's languages and the code."""
    parts: list[str | bytes] = [code_digest(), config_file.read_bytes(), *languages]
    publisher = config.publisher
    for asset in (publisher.logo, publisher.icon):
        if asset is not None:
            parts += [str(asset), _bytes_or_empty(Path(asset))]
    if config.templates is not None:
        for path in sorted(config.templates.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(config.templates).as_posix(), _bytes_or_empty(path)]
    return digest(*parts)


@dataclass(frozen=True, slots=True)
class StoryInput:
    """Where one story of a build comes from: a story folder (the usual case), or a story the
    caller has already built (the Python API: a CMS that makes its own `Story` objects)."""

    folder: Path | None = None
    story: Story | None = None

    @property
    def name(self) -> str:
        """The story's folder name, or its slug."""
        if self.folder is not None:
            return self.folder.name
        assert self.story is not None
        return self.story.slug

    def key(self, config_key: str) -> str:
        """The hash of everything the story is made of, under the run's configuration."""
        if self.folder is not None:
            parts: list[str | bytes] = [config_key, str(self.folder)]
            for path in sorted(self.folder.rglob("*")):
                if path.is_file():
                    parts += [path.relative_to(self.folder).as_posix(), _bytes_or_empty(path)]
            return digest(*parts)
        # A story object: its repr holds every field, images by their content hash.
        return digest(config_key, repr(self.story))


def folder_inputs(articles: Path, diags: Diagnostics) -> list[StoryInput]:
    """The story folders of `articles`, in order; a folder linking outside it is refused."""
    root = articles.resolve()
    inputs = []
    for folder in story_folders(articles):
        if folder.resolve().is_relative_to(root):
            inputs.append(StoryInput(folder=folder))
        else:
            diags.error(
                "story.outside",
                "story folder is a link to a place outside the articles folder",
                shown_path(folder),
            )
    return inputs


def _bytes_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # the reader reports it; the hash only has to change with the content
