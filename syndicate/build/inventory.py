"""What out/ holds, file by file: each published file with the story, language and section it
belongs to (read from its path and the stories of the last build) and its media type (from the
format owning its folder). Deliveries filter and order files with it; the preview server marks
embargoed stories with it."""

from __future__ import annotations

import errno
import hashlib
import logging
import mimetypes
import os
import re
import stat
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from syndicate.build.state import recorded_summaries
from syndicate.formats.contract import AnyWriter, is_media_type
from syndicate.model import StorySummary

logger = logging.getLogger(__name__)
_TEXT_TYPES = ("text/",)
"""Media types that take a charset parameter; every text syndicate writes is UTF-8."""


@dataclass(frozen=True, slots=True)
class PublishedFile:
    """One file of out/ and what it belongs to."""

    path: str
    """POSIX path relative to out/ (`newsml/<slug>.fr.xml`)."""
    story: StorySummary | None
    """The story the file is made of alone (its item, page, book, images); None for files over
    several stories (feeds, indexes, editions, catalogs)."""
    lang: str | None
    """The language of the file; None for a file shared by every language (a story's images,
    a NewsML-G2 package, the site's logo)."""
    section: str | None
    """The story's section, or the section a collection file is limited to (a section feed)."""


class Inventory:
    """The files of an out/ folder, described with the stories of the build that wrote it.

    A file belongs to a story when it is in a folder named after the story in a `media` folder
    (`html/media/<slug>/chart.png`) or its name starts with the slug and a dot
    (`newsml/<slug>.fr.xml`), outside a language's folder; its language is then the part of
    the name after the slug that is one of the site's languages. (A slug cannot be spelled as
    a language or a collection file's name: `syndicate.readers.articles.slug_problem`.) A
    file of no story (a collection file) is of a language when
    one of the site's languages stands in its path between `/`, `.` or `-` (`atom/fr.xml`,
    `epub/edition-zh-Hans.epub`) and of a section when the folder or name right after its
    language's folder is a section code (`atom/fr/politics.xml`; see `_section`)."""

    def __init__(
        self,
        out: Path,
        languages: Sequence[str],
        writers: Sequence[AnyWriter],
        stories: Sequence[StorySummary] | None = None,
        *,
        state: Path | None = None,
        site_files: Collection[str] = (),
    ) -> None:
        """`stories` are those of the build that wrote `out`; by default, read from its build
        state in the folder `state` (none without it). `site_files` are the paths of the
        site's own files (`syndicate.formats.contract.site_paths`): of no story, language or
        section, whatever their path says."""
        self.out = out
        self.site_files = frozenset(site_files)
        if stories is None:
            stories = recorded_summaries(state) if state is not None else []
        known = stories
        self.stories = {story.slug: story for story in known}
        self.sections = {story.section for story in known}
        self.languages = frozenset(languages)
        longest_first = sorted(languages, key=len, reverse=True)
        self._tag = re.compile(
            r"(?:^|[/.-])(" + "|".join(map(re.escape, longest_first)) + r")(?=$|[/.-])"
            if languages
            else r"(?!)"
        )
        self.owners = {folder: w for w in writers for folder in w.owned_folders()}
        self.skipped: list[str] = []
        """What `files` found that is not a regular file, and left out."""
        self.undecodable: list[str] = []
        """What `files` found whose path is not valid UTF-8, and left out."""

    def files(self, folder: str) -> Iterator[PublishedFile]:
        """The regular files under out/`folder`, sorted by path (others go to `skipped`,
        those whose name is not UTF-8 to `undecodable`)."""
        for path in published_paths(self.out, folder, self.skipped, self.undecodable):
            yield self.describe(path)

    def describe(self, path: str) -> PublishedFile:
        """What the file at `path` (relative to out/) belongs to."""
        if path in self.site_files:  # the logo, a designer's `templates/fr/politics.css`
            return PublishedFile(path, None, None, None)
        *folders, name = path.split("/")
        if len(folders) >= 2 and folders[-2] == MEDIA:  # a story's shared files: its images
            story = self.stories.get(folders[-1])
            if story is not None:
                return PublishedFile(path, story, None, story.section)
        slug, _, rest = name.partition(".")
        # A file in a language's folder is a collection's (a section feed, an archive page:
        # `atom/fr/politics.xml`, `atom/fr/archive/1.xml`), whatever its name: a story's own
        # files are never there, and a story may be slugged `politics` or `1`.
        in_language = any(folder in self.languages for folder in folders[1:])
        story = self.stories.get(slug) if rest and not in_language else None
        if story is not None:
            lang = next((part for part in rest.split(".") if part in self.languages), None)
            return PublishedFile(path, story, lang, story.section)
        # Read inside the format's folder: a partner profile named `politics` or `news-fr`
        # (`partners/politics/en.xml`) is neither that section's nor French.
        inside = path.split("/")[self._depth(path) :]
        if not inside:  # in no folder (`favicon.ico`, asked of a preview): no format's file
            return PublishedFile(path, None, None, None)
        found = self._tag.search("/".join(inside))
        return PublishedFile(path, None, found.group(1) if found else None, self._section(inside))

    def _depth(self, path: str) -> int:
        """How many folders of `path` name the format owning it (`partners/msn`: 2); 1 for a
        folder no format owns."""
        folder = self._owning(path)
        return folder.count("/") + 1 if folder is not None else 1

    def _section(self, inside: Sequence[str]) -> str | None:
        """The section a collection file is limited to: the folder or name right after its
        language's folder (`atom/fr/politics.xml`, `html/fr/politics.2.html`), where every
        format writes a section's own file (a partner profile's `fr/politics.xml` too); none
        elsewhere, whatever its name spells: a file over every section is named by what it
        is (`html/index.fr.html`, `opds/catalog.xml`, `atom/logo.png`, `sitemaps/pages.xml`,
        `opds/covers/edition-fr.png`), and a section coded `index`, `catalog`, `logo`,
        `pages` or `covers` took it for its own (a target of other sections lost it). A
        section may be coded as a language is (`it`, information technology, on a site in
        Italian): Italian's feed `atom/it.xml` is no section's, and `atom/it/politics.xml` is
        politics'. So may a section be coded `archive`: `atom/fr/archive/1.xml` is French's
        archive page, its own are `atom/fr/archive/archive/1.xml`. `inside` is the path's
        parts inside its format's folder. What a format's `media` folder holds is images, of
        a story or the site, never a section's, even where one is coded `media`."""
        *folders, name = inside
        parts = (*folders, name.partition(".")[0])
        if len(parts) > 1 and parts[0] == MEDIA:
            return None
        for at, part in enumerate(parts[:-1]):
            if part in self.languages:
                # `<lang>/<section>` or `<lang>/<section>/archive/<n>`; `<lang>/archive/<n>`
                # is the language's own feed's archive page, whatever the sections are called.
                after = parts[at + 1 :]
                whose = len(after) == 1 or (len(after) == 3 and after[1] == "archive")
                return after[0] if whose and after[0] in self.sections else None
        return None

    def _owner(self, path: str) -> AnyWriter | None:
        """The format owning the deepest folder that holds `path` (`partners/msn/...` is the
        msn profile's, not a format named `partners`)."""
        folder = self._owning(path)
        return self.owners[folder] if folder is not None else None

    def _owning(self, path: str) -> str | None:
        """The deepest folder holding `path` that a format owns."""
        parts = path.split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            if "/".join(parts[:depth]) in self.owners:
                return "/".join(parts[:depth])
        return None

    def media_type(self, path: str) -> str:
        """The media type to serve or send the file with: what the format owning its folder
        says, else the usual type of its extension."""
        owner = self._owner(path)
        declared = _declared(owner, path) if owner is not None else None
        found = declared or mimetypes.guess_type(path)[0] or UNKNOWN_TYPE
        if found.startswith(_TEXT_TYPES) and "charset=" not in found.lower():
            return f"{found}; charset=utf-8"  # (a plugin's own charset is kept, not doubled)
        return found


MEDIA = "media"
"""The folder that holds a folder of each story's images, in every format that has them
(`html/media/<slug>/`, `partners/msn/media/<slug>/`)."""
UNKNOWN_TYPE = "application/octet-stream"
_warned: set[str] = set()
"""The formats whose `media_type_of` failed, warned about once a process."""


def _declared(owner: AnyWriter, path: str) -> str | None:
    """What a format's `media_type_of` says of `path`. A plugin's that raises or gives what
    an HTTP header cannot hold (a line break) would make `serve` answer 500, or nothing, and a
    delivery stop: the file goes as `application/octet-stream`, with a warning naming the
    format (once)."""
    try:
        found = owner.media_type_of(path)
    except Exception as exc:
        problem = f"failed on {path!r}: {exc!r}"
    else:
        if not found or is_media_type(found):  # nothing said (None, ""): the extension's
            return found or None
        problem = f"gave {found!r} for {path!r}, which is not a media type such as 'text/plain'"
    if owner.name not in _warned:
        _warned.add(owner.name)
        logger.warning(
            "the %s format's media_type_of %s; its files go as %s: correct the plugin",
            owner.name,
            problem,
            UNKNOWN_TYPE,
        )
    return UNKNOWN_TYPE


def published_paths(
    out: Path,
    folder: str,
    skipped: list[str] | None = None,
    undecodable: list[str] | None = None,
) -> list[str]:
    """The paths (relative to `out`) of the regular files under out/`folder`, sorted; hidden
    files and folders (a build's staging folder) are not published and left out. Anything
    else (a symbolic link, which could point anywhere on the machine, a FIFO, a socket)
    is never published: syndicate never writes one. Their paths go to `skipped`. Nor is a
    file whose path is not valid UTF-8 (a name copied in from another system: no URL, feed
    or target can name it); those paths (their bytes kept as surrogates, `show_path` shows
    them) go to `undecodable`."""
    found = []
    for top, dirs, names in os.walk(out / folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(top).relative_to(out).as_posix()
        for name in names:
            if name.startswith("."):
                continue
            if not _is_utf8(f"{base}/{name}"):
                if undecodable is not None:
                    undecodable.append(f"{base}/{name}")
            elif stat.S_ISREG(os.lstat(os.path.join(top, name)).st_mode):
                found.append(f"{base}/{name}")
            elif skipped is not None:
                skipped.append(f"{base}/{name}")
        if skipped is not None:  # os.walk lists a link to a folder among the folders
            skipped += [f"{base}/{d}" for d in dirs if os.path.islink(os.path.join(top, d))]
    return sorted(found)


def _is_utf8(path: str) -> bool:
    """Whether `path` (as the file system gave it) is valid UTF-8: undecodable bytes are
    kept as surrogates, which cannot be encoded."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def show_path(path: str | Path) -> str:
    """`path` as text that can be printed: bytes that are not UTF-8 escaped (`\\xe9`)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_asset(path: str) -> bool:
    """A file other files point to and that points to nothing: an image, a font, a style
    sheet, a script, a sound or a video."""
    found = mimetypes.guess_type(path)[0] or ""
    return found.split("/")[0] in {"image", "font", "audio", "video"} or found in {
        "text/css",
        "text/javascript",
        "application/javascript",
    }


def file_sha256(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return hashlib.file_digest(handle, "sha256").hexdigest()
