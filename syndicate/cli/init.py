"""`syndicate init [DIR]`: a new site that validates and exports as created: a commented
`syndicate.yaml`, a placeholder logo and icon, and a sample story in the site's languages."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from syndicate.build.reading import read_summaries
from syndicate.cli import EXIT_INPUT, EXIT_OK, say, shown
from syndicate.cli.artwork import icon_png, logo_png
from syndicate.cli.new import cannot_write, rights_notice, yaml_text
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.dates import rfc3339, zone_city
from syndicate.i18n.locales import (
    fallback_tags,
    is_valid_tag,
    is_zone,
)
from syndicate.model import SiteConfig
from syndicate.model.site import CONFIG_NAME
from syndicate.readers.articles import id_source
from syndicate.readers.config import (
    PLACEHOLDER_URL,
    load_config,
    reserved_name,
    reserved_said,
    zone_advice,
)
from syndicate.readers.folders import story_folders
from syndicate.readers.languages import deprecated_hint, tag_problem
from syndicate.readers.safefile import Refused, folder_loop, resolved

SITE_ASSETS = "articles/_site"
IGNORED = "/out/\n/.syndicate/\n"
"""What git should not track: the published files and the build state beside them."""

CONFIG_TEMPLATE = """\
# The site configuration of syndicate: one file for the whole newsroom. Paths in it are
# relative to this folder; every command finds it from here or any folder below.

# Who publishes: named in every feed, page, e-book and NewsML-G2 item.
publisher:
  name: {name}
  url: {url}  # the newsroom's own web site, ending in /
  logo: {assets}/logo.png  # PNG that fits in 600x60 (Google's rule for a publisher logo)
  icon: {assets}/icon.png  # square; pages show it beside the name (optional)
  # email: desk@example.org  # the newsroom's contact address (optional)

# Where the contents of out/ will be published: every link in every output starts here.
base_url: {url}

# The time zone of stories that do not name their own (an IANA name).
timezone: {timezone}

# The languages of the site, main one first (BCP 47 tags). A story has a <tag>.md file for
# each language it is written in.
languages: [{languages}]

# Where articles and images are published, when not under base_url (these are the defaults).
# links:
#   article: "{{base_url}}html/{{slug}}.{{lang}}.html"
#   image: "{{base_url}}html/media/{{slug}}/{{name}}?v={{digest}}"  # {{digest}}: of its bytes

# Each output format may have options of its own, in a section named after it;
# `syndicate formats` lists them all with their defaults. For example:
# feeds:
#   limit: 50  # entries in a subscription feed
# epub:
#   edition: day  # e-book editions of the newest day's stories; or latest
"""

STORY_TEMPLATE = """\
# Facts shared by every language of this story; each language is a <tag>.md file beside it.
id: tag:{domain},{date}:welcome  # a permanent identifier: never change it
original_language: {original}
section: technology
first_created: {now}
published: {now}
status: usable  # usable | withheld (not now) | canceled (never)
version: 1  # once the story is out, raise it with every change, with updated: its time
rights:
  holder: {holder}
  notice:{notice}
"""


@dataclass(frozen=True, slots=True)
class Site:
    """What `init` was asked to make."""

    folder: Path
    name: str
    url: str
    timezone: str
    languages: tuple[str, ...]
    now: datetime


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    site = _site(args, diags)
    if site is None:
        return EXIT_INPUT
    config = _config_text(site)
    samples = _samples()
    story_langs = tuple(lang for lang in site.languages if _sample(lang, samples))
    slug = f"{site.now.date().isoformat()}-welcome"
    files = {CONFIG_NAME: config.encode("utf-8")}
    files[f"{SITE_ASSETS}/logo.png"] = logo_png(site.name)
    files[f"{SITE_ASSETS}/icon.png"] = icon_png()
    if story_langs:
        files |= _story_files(site, slug, story_langs, samples)
    if _taken(args, site.folder, [*files, f"articles/{slug}"], diags):
        return EXIT_INPUT
    unignored: list[str] = []
    if not os.path.lexists(site.folder / ".gitignore"):
        files[".gitignore"] = IGNORED.encode("utf-8")
    else:
        unignored = _not_ignored(site.folder / ".gitignore")
    # The result must load like any site: problems here (a language without terms) are
    # reported now rather than at the first export, and under --strict a warning writes
    # nothing, as for every command.
    sample_id = f"tag:{urlsplit(site.url).hostname},{site.now.date().isoformat()}:welcome"
    loads = _loads(args, site.folder, files, sample_id if story_langs else None, diags)
    if loads is False:
        where = shown(args, site.folder)
        say(args, f"not created: nothing was written in {where} (the problems above)")
        return EXIT_INPUT
    if not _write(args, site.folder, files, diags):
        return EXIT_INPUT
    if loads is None:  # no room to try it first: loaded where it was written
        load_config(site.folder / CONFIG_NAME, shown(args, site.folder / CONFIG_NAME), diags)
    _report(args, site, slug, story_langs, sample_id)
    if unignored:
        say(
            args,
            f"the .gitignore there was left as it was, and it does not seem to ignore"
            f" {' and '.join(unignored)}: check it, or add"
            f" {' and '.join(f'/{name}' for name in unignored)} to it (the exported files,"
            " and the build state with the preview, which shows embargoed stories, are no"
            " sources)",
        )
    return EXIT_INPUT if diags.errors else EXIT_OK


def _not_ignored(gitignore: Path) -> list[str]:
    """Which of `IGNORED`'s folders a site's own `.gitignore` does not name (as `out`, `/out/`,
    `out/*`...), in `IGNORED`'s order; none when it cannot be read (it is the user's)."""
    try:
        text = gitignore.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    wanted = [line.strip("/") + "/" for line in IGNORED.splitlines()]
    ignored = dict.fromkeys(wanted, False)
    for line in text.splitlines():  # in order: a later `!out/` takes an earlier `out/` back
        pattern = line.strip()
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        for tail in ("/**", "/*", "/"):
            pattern = pattern.removesuffix(tail)
        pattern = pattern.removeprefix("**/").removeprefix("/")  # (any depth, or the top)
        every = line.strip().removeprefix("!") in ("*", "/*", "**", "/**")
        for name in wanted:
            if every or pattern == name.rstrip("/"):
                ignored[name] = not negated
    return [name for name in wanted if not ignored[name]]


def _write(
    args: argparse.Namespace, folder: Path, files: dict[str, bytes], diags: Diagnostics
) -> bool:
    """Write the site's files, all or none: a folder that cannot take them (read-only, a
    file in the way) is told, and what was written of them removed, so `init` can run again."""
    made: list[Path] = []
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True)
            made.append(folder)
        for name, data in files.items():
            for parent in reversed(Path(name).parents[:-1]):  # the folders below `folder`
                if not (folder / parent).is_dir():
                    (folder / parent).mkdir()
                    made.append(folder / parent)
            # A new file, never one there (nor through a link to somewhere else): `x` is
            # O_EXCL, which follows no link. Listed before it is written: a write that
            # fails midway (a full disk) leaves no half file behind.
            with open(folder / name, "xb") as file:
                made.append(folder / name)
                file.write(data)
    except OSError as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        failed = exc.filename or (made[-1] if made else None)  # (a write names no file)
        where = Path(shown(args, Path(failed))) if failed else folder
        diags.error(
            "init.write",
            f"{cannot_write(where, exc)}; nothing was written: run init again once it can"
            " be, or give it another folder (`syndicate init DIR`)",
        )
        return False
    return True


def _loads(
    args: argparse.Namespace,
    folder: Path,
    files: dict[str, bytes],
    sample_id: str | None,
    diags: Diagnostics,
) -> bool | None:
    """Whether the site's files, written in a folder of their own first, load without an
    error (or, under `--strict`, a warning); the problems are said of the real folder. None
    when they could not be written there (no room in the temporary folder)."""
    found = Diagnostics()
    try:
        with tempfile.TemporaryDirectory(prefix="syndicate-init-") as scratch:
            for kept in ("terms", "templates"):  # the folder's own, which the site takes
                if (folder / kept).is_dir():
                    shutil.copytree(folder / kept, Path(scratch) / kept, symlinks=True)
            for name, data in files.items():
                (Path(scratch) / name).parent.mkdir(parents=True, exist_ok=True)
                (Path(scratch) / name).write_bytes(data)
            config = load_config(
                Path(scratch) / CONFIG_NAME, shown(args, folder / CONFIG_NAME), found
            )
    except OSError:
        return None
    if config is not None and (folder / "articles").is_dir():
        _check_articles(args, folder, config, sample_id, found)
    for problem in found:
        diags.add(problem)
    return not found.has_errors(strict=args.strict)


def _check_articles(
    args: argparse.Namespace,
    folder: Path,
    config: SiteConfig,
    sample_id: str | None,
    found: Diagnostics,
) -> None:
    """The `articles/` already in `folder` read as the new site will read it (`validate`):
    a folder there that is no story of the site (notes, a story half made, one in a language
    the site lacks) would make the `next:` line fail, so it is named, and nothing written."""
    articles = folder / "articles"
    where = shown(args, articles)
    try:
        stories = read_summaries(articles, config, found, os.cpu_count() or 1)
        broken = [
            f.name for f in story_folders(articles) if f.name not in {s.slug for s in stories}
        ]
    except OSError as exc:
        found.error("init.folder", f"{where}: cannot be read ({exc.strerror or exc})")
        return
    for story in stories:
        if story.id == sample_id:
            found.error(
                "init.folder",
                f"has the id {sample_id} of the sample story init would write beside it, which"
                " two stories cannot share; nothing was written. Give it another id, or run init"
                " with another --url or --now",
                id_source(story.source),
            )
    if not broken:  # (problems of readable stories, a duplicate id: each said at its place)
        return
    named = ", ".join(f"articles/{name}" for name in broken)
    them = "it" if len(broken) == 1 else "them"
    found.error(
        "init.folder",
        f"already holds {named}, which the new site could not validate (the"
        f" problems below); nothing was written. Move {them} out of articles/ (a story folder"
        f" holds only story.yaml, <tag>.md files and their images), or fix {them}, then run"
        " init again",
        where,
    )


def _taken(args: argparse.Namespace, folder: Path, names: list[str], diags: Diagnostics) -> bool:
    """Whether a file `init` would write exists: then nothing is written, nothing overwritten."""
    where = shown(args, folder)
    if (folder / CONFIG_NAME).is_dir():  # (not a site: it named a folder so)
        diags.error(
            "init.exists",
            f"{where}/{CONFIG_NAME} is a folder, not a site's configuration; nothing was"
            f" changed. Rename or move that folder, then run init again",
        )
        return True
    if os.path.lexists(folder / CONFIG_NAME):  # (a link to nothing too: written through)
        diags.error(
            "init.exists",
            f"{where} is a syndicate site already ({CONFIG_NAME} exists); nothing was changed."
            " To start another site, run `syndicate init DIR` with a new folder",
        )
        return True
    # Folders of articles/ (the sample story, the site's assets), named once each.
    taken = sorted({Path(n).parts[1] for n in names if os.path.lexists(folder / n) and "/" in n})
    if taken:
        diags.error(
            "init.exists",
            f"{where} already has {', '.join(f'articles/{n}' for n in taken)}; nothing was"
            " changed. Move it away, or run `syndicate init DIR` with a new folder",
        )
    return bool(taken)


def _folder(args: argparse.Namespace, diags: Diagnostics) -> Path:
    """Where the site goes: `DIR`, or the global `--site DIR` (the same folder, said the way
    every other command takes it), or the current folder."""
    if args.config is not None:
        diags.error(
            "cli.site",
            f"--config {shown(args, args.config)}: init writes {CONFIG_NAME} into the new"
            " site's folder; give that folder (syndicate init DIR)",
        )
    given: Path | None = args.folder
    if args.site is not None and given is not None and given != args.site:
        diags.error(
            "cli.site",
            f"--site {shown(args, args.site)} and {shown(args, given)} name two different"
            " folders; give one of them",
        )
    folder = given or args.site or Path(".")
    # The problems are said from where the command started (init runs there, not in the
    # site): no site folder for the report to take them from.
    args.site = None
    return folder


def _site(args: argparse.Namespace, diags: Diagnostics) -> Site | None:
    folder: Path = _folder(args, diags)
    if diags.errors:
        return None
    if folder.exists() and not folder.is_dir():
        diags.error("init.folder", f"{shown(args, folder)} is a file, not a folder")
        return None
    try:
        place = resolved(folder)
    except Refused:
        diags.error("init.folder", f"{shown(args, folder)}: {folder_loop('it')}")
        return None
    for above in (place, *place.parents):  # the articles folder itself, or one inside it
        if (above.parent / CONFIG_NAME).is_file() and above.name == "articles":
            diags.error(
                "init.folder",
                f"{shown(args, folder)} is {'' if above == place else 'inside '}the articles"
                " folder of the site at"
                f" {shown(args, above.parent)}, whose stories it would break; start the new site"
                " elsewhere",
            )
            return None
    url = args.url if args.url.endswith("/") else args.url + "/"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        bare = "://" not in args.url and " " not in args.url.strip() and "." in args.url
        fix = f"; write it https://{url}" if bare else ", e.g. https://news.example/"
        diags.error("init.url", f"--url {args.url}: not a web address{fix}")
    if args.name is not None and not args.name.strip():
        diags.error("init.name", "--name: the publisher's name cannot be blank")
    languages = tuple(dict.fromkeys(args.langs or ["en"]))
    for tag in languages:
        if not is_valid_tag(tag):
            problem = tag_problem(tag, "not a known BCP 47 language tag")
            diags.error("init.language", f"--lang {tag}: {problem}")
        elif old := deprecated_hint(tag):
            diags.error("init.language", f"--lang {tag}: {old}")
    zone = args.timezone or local_zone(diags)
    try:
        if not is_zone(zone):  # `right/Europe/Brussels`: ZoneInfo loads it, sites refuse it
            raise ZoneInfoNotFoundError(zone)
        now = (args.now or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        diags.error("init.timezone", f"--timezone {zone}: not an IANA time zone{zone_advice(zone)}")
        return None
    name = (args.name or "").strip() or _name_from(folder)
    if control := next((c for c in name if unicodedata.category(c) == "Cc"), None):
        given = "--name" if (args.name or "").strip() else f"the folder's name {folder.name!r}"
        fix = "write the name without it" if given == "--name" else "give the name with --name"
        diags.error(
            "init.name",
            f"{given}: holds a control character (U+{ord(control):04X}), which a publisher's"
            f" name cannot: {fix}; nothing was written",
        )
    if diags.errors:
        return None
    return Site(folder, name, url, zone, languages, now.replace(second=0, microsecond=0))


def local_zone(diags: Diagnostics | None = None) -> str:
    """This machine's IANA time zone: $TZ, or the zone /etc/localtime links to; else UTC
    (told in `diags`). A zone file's path (`/usr/share/zoneinfo/Asia/Kathmandu`, `localtime`)
    or a variant of the database (`right/Europe/Brussels`, `posix/Asia/Kathmandu`) gives its
    canonical name: the site's configuration takes only those (`is_zone`)."""
    tz = os.environ.get("TZ", "").removeprefix(":")
    if tz and (zone := _zone_name(tz)) is not None:
        return zone
    zone = _zone_name("/etc/localtime") or "UTC"
    if diags is not None and tz:
        diags.warning(
            "init.timezone",
            f"TZ={tz} names no time zone syndicate knows: the site's timezone is {zone}; give"
            " --timezone (e.g. Europe/Brussels), or change timezone: in syndicate.yaml",
        )
    return zone


def _zone_name(given: str) -> str | None:
    """The IANA name `given` (a name, a zone file's path, `localtime`) stands for, or None."""
    if given == "localtime" or given.startswith("/"):
        path = os.path.realpath("/etc/localtime" if given == "localtime" else given)
        if "/zoneinfo/" not in path:
            return None
        given = path.split("/zoneinfo/", 1)[1]
    name = given.removeprefix("right/").removeprefix("posix/")
    return name if is_zone(name) else None


def _name_from(folder: Path) -> str:
    """`my-newsroom` -> `My Newsroom`."""
    words = folder.absolute().name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "My Newsroom"


def _config_text(site: Site) -> str:
    return CONFIG_TEMPLATE.format(
        name=json.dumps(site.name, ensure_ascii=False),
        url=json.dumps(site.url, ensure_ascii=False),
        assets=SITE_ASSETS,
        timezone=site.timezone,
        languages=", ".join(site.languages),
    )


def _samples() -> dict[str, dict[str, str]]:
    text = resources.files("syndicate.cli").joinpath("sample.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(text)
    return data


def _sample(lang: str, samples: dict[str, dict[str, str]]) -> dict[str, str] | None:
    """The sample text for `lang`, or for the tag it falls back to (`ar` for `ar-SA`,
    `zh-Hans` for `zh-CN`), as its phrases do; None when there is none."""
    return next((samples[tag] for tag in fallback_tags(lang) if tag in samples), None)


def _story_files(
    site: Site, slug: str, langs: tuple[str, ...], samples: dict[str, dict[str, str]]
) -> dict[str, bytes]:
    """The sample story: its story.yaml and a language file per language."""
    story = STORY_TEMPLATE.format(
        domain=urlsplit(site.url).hostname,
        date=site.now.date().isoformat(),
        original=langs[0],
        now=rfc3339(site.now),
        holder=yaml_text(site.name),
        notice=rights_notice(site.name, site.now.year, langs),
    )
    files = {f"articles/{slug}/story.yaml": story.encode("utf-8")}
    for lang in langs:
        sample = _sample(lang, samples) or {}
        front = {
            "headline": sample["headline"],
            "summary": sample["summary"],
            "byline": {"organisation": site.name},
            "dateline": zone_city(site.timezone, lang) or sample["dateline"],
        }
        matter = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=100)
        files[f"articles/{slug}/{lang}.md"] = f"---\n{matter}---\n{sample['body']}".encode()
    return files


def _report(
    args: argparse.Namespace, site: Site, slug: str, langs: tuple[str, ...], sample_id: str
) -> None:
    where = shown(args, site.folder)
    story = f"articles/{slug} ({', '.join(langs)})" if langs else "no sample story"
    say(
        args,
        f"created the site {site.name!r} in {where}: {CONFIG_NAME}, {SITE_ASSETS}/logo.png and"
        f" icon.png, {story}",
        site=str(site.folder),
        sample=f"articles/{slug}" if langs else None,
    )
    if not langs:
        say(
            args,
            f"syndicate has no sample text in {', '.join(site.languages)}: start your first"
            " story with `syndicate new`",
        )
    go = "" if where == "." else f"cd {shlex.quote(where)} && "
    say(args, f"next: {go}syndicate validate && syndicate export --format all")
    if (name := reserved_name(site.url)) is not None:
        # (named from where the command was started, as `next:` names the folder)
        config = shown(args, site.folder / CONFIG_NAME)
        placeholder = name == urlsplit(PLACEHOLDER_URL).hostname
        what = "a placeholder" if placeholder else f"on {name}, {reserved_said(name)}"
        sample = (
            f"; the sample story's id, {sample_id}, names {urlsplit(site.url).hostname}"
            " already: give it one of your own, or remove the story"
            if langs
            else ""
        )
        say(
            args,
            f"before publishing: set publisher.url and base_url in {config} (now {site.url},"
            f" {what}) to your site and where out/ will be published; every link, and"
            f" the id of every story `syndicate new` makes, is made from them{sample}"
            " (deliver refuses to send anything until then)",
        )
    say(
        args,
        "the pages' look: a templates/ folder beside syndicate.yaml overrides syndicate's"
        " templates and style.css, and its other files (fonts, scripts, images) are"
        " published beside the pages",
    )
