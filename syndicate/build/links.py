"""Dead links of a partial run: a run limited to some languages (`--lang`) or formats
(`--format`) may write files that link to pages, images or feeds it did not make and out/ does
not hold. Each such target is a warning naming it, the files that link to it, and the run that
would make it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from syndicate.build.publish import Plan, Staging
from syndicate.diagnostics import Diagnostic

_SCANNED = (".html", ".xml", ".json", ".jsonld")
_HREF = re.compile(rb"""href\s*=\s*["']([^"'#?]+)""")
_SRC = re.compile(rb"""src\s*=\s*["']([^"'#?]+)""")
"""Relative links of pages: `href` and `src` attributes. Two patterns, each found by its
literal start (one pattern starting with a choice of words tries a match at every h and s of
the page: four times slower); `_attribute_links` takes their matches as one would."""
_STYLE = re.compile(rb"<style[^>]*>(.*?)</style>", re.DOTALL)
_CSS_URL = re.compile(rb"""url\(\s*["']?([^"')#?\s]+)""")
"""Relative links of a page's stylesheet (`style.css`, inlined): `url(fonts/brand.woff2)`,
looked for inside `<style>` only (a story's text may quote CSS)."""
_CSS_COMMENT = re.compile(rb"/\*.*?\*/", re.DOTALL)
"""A stylesheet's comments, whose `url(...)` (a rule commented out) is no link."""
_BASE = re.compile(rb"""<base\s[^>]*?href\s*=\s*["']([^"'#?]*)""", re.IGNORECASE)
"""A page's `<base href>` (a section page's `../`): its relative links resolve from there."""


def _styles(data: bytes) -> list[bytes]:
    """`_STYLE.findall(data)`, found by `bytes.find`: the pattern's lazy `.*?` tried
    `</style>` at every byte of the stylesheet each page inlines (1.2 million instructions a
    page, twenty times these). The first `>` after `<style` ends its tag (`[^>]*`); with no
    `</style>` after it, none comes after a later `<style` either."""
    found = []
    start = data.find(b"<style")
    while start != -1:
        opened = data.find(b">", start + 6)
        if opened == -1:
            break
        end = data.find(b"</style>", opened + 1)
        if end == -1:
            break
        found.append(data[opened + 1 : end])
        start = data.find(b"<style", end + 8)
    return found


_MEDIA = "html/media/"
"""Where the html format publishes the stories' images, the logo and the icon."""
_SHOWN = 20
"""Dead targets named one by one; the rest are counted."""
_REMEMBERED = 4_096
"""Distinct links whose targets are remembered (see `_targets`): the few that most files
share stay, the many each file has alone (its own page, its images) are forgotten."""


def dead_links(
    out: Path,
    plan: Plan,
    staging: Staging,
    base_url: str,
    folders: Callable[[Collection[str]], Mapping[str, str]],
    formats: Collection[str],
    left_out: Collection[str] = (),
    only: str | None = None,
) -> Iterator[Diagnostic]:
    """Warnings for the links of the files this run writes whose targets will not exist in
    out/ once `plan` is applied. Only targets in `folders(tops)` (the folders formats write,
    with the format writing each; given the top folders of the dead targets, it may leave out
    others) are out/'s: a page URL may as well lead to the site's own server.
    `formats` are this run's, `left_out` the site's languages it does not export; `only`, a
    folder (`html/`), limits the files scanned to that folder's."""
    swapped = {swap.folder for swap in plan.swaps}
    root = plan.root(out)
    deleted = frozenset(plan.deletes)
    """Files out/ has until a plan in place is applied."""
    absolute = re.compile(re.escape(base_url.encode()) + rb"""([^\s"'<>)\\]+)""")
    # Most links lead to files of this run, or to the same few files (indexes, feeds, books):
    # each target is looked up once, and this run's files without a system call, in the
    # staging's own set (not copied: an archive's run writes hundreds of thousands).
    produced = staging.produced
    found: dict[str, bool] = {}
    missing: dict[str, tuple[str, int]] = {}
    """The first file linking to each dead target, and how many do."""
    resolved: dict[tuple[str, bytes], tuple[str, ...]] = {}
    for source in sorted([*staging.created, *staging.changed]):  # no path is in both
        if not source.endswith(_SCANNED) or (only is not None and not source.startswith(only)):
            continue
        rel = PurePosixPath(source)
        links = _targets(staging.dir / rel, rel, absolute, resolved)
        for target in dict.fromkeys(links):
            exists = target in produced or found.get(target)
            if exists is None:
                place = root if target.split("/", 1)[0] in swapped else out
                exists = found[target] = target not in deleted and os.path.lexists(place / target)
            if not exists:
                first, count = missing.get(target, (source, 0))
                missing[target] = (first, count + 1)
    owners = folders({target.split("/", 1)[0] for target in missing}) if missing else {}
    missing = {t: s for t, s in missing.items() if t.split("/", 1)[0] in owners}
    for target, linker, more in _told(missing):
        if linker is None:  # at the first file left unsaid: after the others, in file order
            yield Diagnostic(
                "warning", "export.dead-link", f"{more} not written", str(out / target)
            )
            return
        owner = owners[target.split("/", 1)[0]]
        if owner not in formats:
            fix = f"add --format {owner}, or export --format all{_UNLINKED.get(owner, '')}"
        elif _language_of(target, left_out):
            fix = "add its language to --lang, or export every language"
        else:  # no run makes it: a wrong link, or a file the site does not have
            fix = (
                "no format makes it: correct the link, or add the file (a page's own font,"
                " script or image goes in templates/, see docs/formats/html-jsonld.md)"
            )
        yield Diagnostic(
            "warning",
            "export.dead-link",
            f"linked from {linker}{more}, but this run did not write it and the output folder"
            f" does not have it: {fix}",
            str(out / target),
        )


_UNLINKED = {
    "epub": "; a site that publishes no books: epub: {story_books: false} in syndicate.yaml"
    " and the pages link none",
    "atom": "; a site that publishes no feeds: feeds: {languages: []} in syndicate.yaml and"
    " the pages link none",
    "rss": "; a site that publishes no feeds: feeds: {languages: []} in syndicate.yaml and the"
    " pages link none",
}
"""What a site that never exports a format sets so that the pages stop linking its files."""


def dead_links_in(out: Path, base_url: str, owners: Mapping[str, str]) -> Iterator[Diagnostic]:
    """`validate --outputs`: warnings for the links of every file of out/'s format folders
    (`owners`: each folder with the format writing it) whose targets out/ does not have. An
    export says only the dead links of the files it writes (`dead_links`): one a later run
    left as they were (with nothing to write) is said here, every time, until it is fixed."""
    absolute = re.compile(re.escape(base_url.encode()) + rb"""([^\s"'<>)\\]+)""")
    found: dict[str, bool] = {}
    missing: dict[str, tuple[str, int]] = {}
    resolved: dict[tuple[str, bytes], tuple[str, ...]] = {}
    for folder in sorted(owners):
        if not (out / folder).is_dir():
            continue
        for path in sorted((out / folder).rglob("*")):
            if path.suffix not in _SCANNED or path.is_symlink() or not path.is_file():
                continue
            rel = PurePosixPath(path.relative_to(out).as_posix())
            for target in dict.fromkeys(_targets(path, rel, absolute, resolved)):
                if _owner(target, owners) is None:
                    continue
                exists = found.get(target)
                if exists is None:
                    exists = found[target] = os.path.lexists(out / target)
                if not exists:
                    first, count = missing.get(target, (str(rel), 0))
                    missing[target] = (first, count + 1)
    for target, linker, more in _told(missing):
        if linker is None:
            said = f"{more} not in the output folder"
            yield Diagnostic("warning", "output.dead-link", said, str(out / target))
            return
        owner = _owner(target, owners)
        if owner == "html" and not target.endswith(".html") and not target.startswith(_MEDIA):
            # a page's own font, script or image: no format makes it, templates/ holds it
            fix = (
                "it is no file a format makes but one of the site's: add it to templates/ at"
                " the same path (see docs/formats/html-jsonld.md) and export, or correct the link"
            )
        else:
            fix = (
                f"export --format {owner} (or --format all) makes it; if no format does,"
                " correct the link or add the file"
            )
        yield Diagnostic(
            "warning",
            "output.dead-link",
            f"linked from {linker}{more}, but the output folder does not have it: {fix}",
            str(out / target),
        )


def _told(missing: Mapping[str, tuple[str, int]]) -> Iterator[tuple[str, str | None, str]]:
    """The dead targets to name, in order, each with the first file linking to it and the
    words for the others (` and 3 other files`); past `_SHOWN`, one more (no first file)
    with the words that count the rest (`this and 14 more files after it are linked but`)."""
    for index, (target, (first, count)) in enumerate(sorted(missing.items())):
        if index == _SHOWN:
            yield (
                target,
                None,
                f"this and {len(missing) - _SHOWN - 1} more files after it are linked but",
            )
            return
        others = count - 1
        yield (
            target,
            first,
            f" and {others} other file{'s' if others > 1 else ''}" if others else "",
        )


def _owner(target: str, owners: Mapping[str, str]) -> str | None:
    """The format writing `target`'s folder: a profile's own (`partners/msn`), or a top one."""
    parts = target.split("/", 2)
    return owners.get("/".join(parts[:2])) or owners.get(parts[0])


def _language_of(target: str, languages: Collection[str]) -> bool:
    """Whether a file of out/ is one of a language among `languages`: its name or a folder
    of its path says that language (`html/slug.fr.html`, `atom/fr.xml`, `epub/slug.fr.epub`)."""
    parts = PurePosixPath(target).name.split(".") + list(PurePosixPath(target).parts[:-1])
    return any(part in languages for part in parts)


def _targets(
    path: Path,
    rel: PurePosixPath,
    absolute: re.Pattern[bytes],
    resolved: dict[tuple[str, bytes], tuple[str, ...]],
) -> Iterator[str]:
    """The out/ paths a file links to: absolute URLs under base_url, and in pages the relative
    links. Most files link to the same few targets: `resolved` keeps what each distinct link
    (from each folder, for a relative one) leads to, emptied when it holds `_REMEMBERED`
    (an archive's files have hundreds of thousands of links of their own)."""
    if len(resolved) > _REMEMBERED:
        resolved.clear()
    data = path.read_bytes()
    for raw in set(absolute.findall(data)):  # each distinct link once
        paths = resolved.get(("", raw))
        if paths is None:
            paths = resolved[("", raw)] = tuple(_path(raw.decode("utf-8", "replace")))
        yield from paths
    if rel.suffix == ".html":
        base = _BASE.search(data)
        if base is not None and not _leaves(base.group(1)):
            # (a base leading out of out/, or to another site, is no link of out/'s to check)
            folder = os.path.normpath(rel.parent / base.group(1).decode("utf-8", "replace"))
            rel = PurePosixPath(folder) / rel.name
        parent = str(rel.parent)
        styled = (
            url for style in _styles(data) for url in _CSS_URL.findall(_CSS_COMMENT.sub(b"", style))
        )
        for raw in {*_attribute_links(data), *styled}:
            key = (parent, raw)
            paths = resolved.get(key)
            if paths is None:
                paths = resolved[key] = tuple(_relative(rel, raw))
            yield from paths


def _attribute_links(data: bytes) -> Iterator[bytes]:
    """The links of `(?:href|src)\\s*=\\s*["']([^"'#?]+)` as `findall` gives them: from left
    to right, each match starting where the one before ended, whichever word it starts with
    (a `src=` inside an `href`'s value is part of that value, not a link)."""
    href, src = _HREF.search(data), _SRC.search(data)
    while href is not None or src is not None:
        first = src is None or (href is not None and href.start() < src.start())
        found = href if first else src
        assert found is not None
        yield found.group(1)
        at = found.end()
        if href is not None and href.start() < at:
            href = _HREF.search(data, at)
        if src is not None and src.start() < at:
            src = _SRC.search(data, at)


def _leaves(raw: bytes) -> bool:
    """Whether a link leads to another site or starts at a server's root: not relative."""
    link = raw.decode("utf-8", "replace")
    return bool(urlsplit(link).scheme) or link.startswith(("/", "//"))


def _relative(rel: PurePosixPath, raw: bytes) -> Iterator[str]:
    link = raw.decode("utf-8", "replace")
    if urlsplit(link).scheme or link.startswith(("/", "//")):
        return
    yield from _path(os.path.normpath((rel.parent / link).as_posix()))


def _path(link: str) -> Iterator[str]:
    """`link` as a file under out/, if it can be one (no folder, no way up)."""
    path = unquote(urlsplit(link).path)
    if path and not path.endswith("/") and not path.startswith("..") and path != ".":
        yield path
