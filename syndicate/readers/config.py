"""Reading `syndicate.yaml` into a `SiteConfig`: YAML with line numbers, checked against
`site.schema.json`, then the facts a schema cannot check (time zone, language tags, the logo
and icon, the link templates)."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import ipaddress
import os
import re
import string
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from syndicate.diagnostics import CLOSE, Diagnostics, did_you_mean, suggest
from syndicate.i18n.locales import (
    canonical_case,
    fallback_tags,
    fixed_abbreviation,
    has_month_names,
    is_valid_tag,
    is_zone,
    offset_instead_of_zone,
    preferred_tag,
    zones_meant,
)
from syndicate.i18n.terms import has_term, has_terms, placeholders, reference
from syndicate.model.site import (
    CONFIG_NAME,
    DEFAULT_ARTICLE_URL,
    DEFAULT_IMAGE_URL,
    TEMPLATES,
    TERMS,
    Publisher,
    SiteConfig,
    field_problem,
    fill,
)
from syndicate.model.source import SourceRef
from syndicate.readers import budgets
from syndicate.readers.images import ImageProblem, inspect_image
from syndicate.readers.languages import deprecated_hint, spelt_otherwise, tag_problem
from syndicate.readers.safefile import (
    LINK_LOOP,
    Refused,
    folder_loop,
    loop_in,
    read_checked,
    site_refusal,
    status_checked,
)
from syndicate.readers.schemas import (
    Where,
    check,
    describe,
    load_schema,
    uri_form,
    url_problem,
    without_default_port,
)
from syndicate.readers.staticfiles import static_files, templates_ok
from syndicate.readers.storyfiles import spelt_on_disk, twins_problem
from syndicate.readers.textfile import bidi_warning, not_fields, read_text
from syndicate.readers.yamlsource import YamlDoc, YamlProblem, parse_yaml

PLACEHOLDER_URL = "https://example.org/"
"""The address `syndicate init` writes as `publisher.url` and `base_url` when not given
`--url`: fine to try a site with, never to publish (every id and link is made from it)."""


RESERVED_NAMES = ("example.com", "example.net", "example.org")
"""The second-level names RFC 2606 keeps for examples (`example.org` is `PLACEHOLDER_URL`'s)."""
RESERVED_TOP = ("example", "test", "invalid", "localhost")
"""The top-level names RFC 2606 and RFC 6761 keep for examples, tests, invalid names and this
machine (`localhost` itself, and every name under it)."""


def reserved_name(url: str) -> str | None:
    """The reserved name `url`'s host is or is under (RFC 2606, RFC 6761): `example.org`,
    `example.com`, `example.net`, `.example`, `.test`, `.invalid`, `localhost` or
    `.localhost`, or an address of this machine (`127.0.0.1`, `[::1]`, `_this_machine`); None
    for a host on no such name. As init wrote it or edited only in part
    (`http://`, a path under it, capitals, a name under it such as `www.example.org`, the
    root's final dot, the name in other characters a browser maps to it, `ｅｘａｍｐｌｅ.org`),
    every id and link made from it still names the reserved name, which no newsroom owns."""
    # (percent-decoded as a browser decodes a host: `example%2Eorg` is example.org)
    host = unquote(urlsplit(uri_form(url)).hostname or "").rstrip(".").lower()
    if (address := _this_machine(host)) is not None:
        return address
    for name in RESERVED_NAMES:
        if host == name or host.endswith(f".{name}"):
            return name
    top = host.rpartition(".")[2]
    if top in RESERVED_TOP:
        return "localhost" if host == "localhost" else f".{top}"
    return None


def id_host(ident: str) -> str | None:
    """The domain name a story id names: a tag URI's authority (`tag:ycpress.com,2021:x`, or
    the domain of an email address, `tag:desk@ycpress.com,2021:x`), a NewsML URN's provider
    (`urn:newsml:ycpress.com:...`); None for an id that names none (`urn:uuid:`)."""
    scheme, _, rest = ident.partition(":")
    if scheme.lower() == "tag":
        return rest.partition(",")[0].rpartition("@")[2] or None
    nid, _, rest = rest.partition(":")
    if scheme.lower() == "urn" and nid.lower() == "newsml":
        return rest.partition(":")[0] or None
    return None


RESERVED_ID_MADE = (
    "as syndicate init's sample story and the stories syndicate new made before publisher.url"
    " was set do"
)
"""Which stories have an id on a reserved name (`reserved_id`), said once for
`deliver.story-id` and `story.id-changed`."""
RESERVED_ID_SENT = (
    "syndicate deliver refuses a story under such an id (deliver.story-id) unless a target was"
    " sent it before"
)
"""`deliver.story-id`'s rule as `story.id-changed` tells it: an export cannot read deliver's
ledger, so it says both cases."""


def reserved_id(ident: str) -> str | None:
    """The name a story id is on, said as every command says a reserved name
    (`harbour.example (on .example, a name RFC 2606 reserves ...)`), when it is one
    (`reserved_name`); None for an id on a site's own name or on none (`urn:uuid:`). One
    wording for `story.id-changed` and `deliver.story-id`."""
    host = id_host(ident)
    return None if host is None else _reserved_host(host)


@functools.lru_cache(maxsize=256)
def _reserved_host(host: str) -> str | None:
    """`reserved_id`'s words for a host: an archive's ids name a few hosts, each looked at
    once (`deliver` looks at every story's id, and parsing each as a URL cost 1.5 s in
    100,000)."""
    name = reserved_name(f"https://{host}/")
    if name is None:
        return None
    said = reserved_said(name)
    return f"{host}, {said}" if host == name else f"{host} (on {name}, {said})"


_IPV4_SHORT = re.compile(r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}")
"""An IPv4 address in a form other than four decimal parts, as browsers read it (WHATWG URL)."""


def _this_machine(host: str) -> str | None:
    """`host` as an address of this machine itself when it is one, what `localhost` names
    (RFC 6761): a loopback address (`127.0.0.1`, any of 127/8, `::1`, `::ffff:127.0.0.1`) or
    the unspecified one (`0.0.0.0`, `::`), as `serve` prints them; None otherwise."""
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not _IPV4_SHORT.fullmatch(host):
            return None
        import socket  # (for these forms alone: a run that changes nothing loads it not)

        try:  # the forms a browser reads as IPv4 too: `127.1`, `0x7f.0.0.1`, `2130706433`
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address) if address.is_loopback or address.is_unspecified else None


def reserved_said(name: str) -> str:
    """What a reserved name (`reserved_name`) is, in words, the one way every command says it:
    init's placeholder, an address of this machine, or a name the RFCs keep: `localhost` for
    this machine (RFC 6761), `.invalid` for names that are none (RFC 2606), the others for
    examples and tests."""
    if name == urlsplit(PLACEHOLDER_URL).hostname:
        return "the placeholder syndicate init writes without --url"
    if _this_machine(name) is not None:
        return "an address of this machine itself, as localhost is (RFC 6761), no site's"
    if name in ("localhost", ".localhost"):
        return "a name RFC 6761 keeps for this machine itself, no site's"
    if name == ".invalid":
        return "a name RFC 2606 keeps for names that are invalid, no site's"
    return "a name RFC 2606 reserves for examples and tests, no site's"


LINK_FIELDS = {"article": ("base_url", "slug", "lang"), "image": ("base_url", "slug", "name")}
"""The placeholders each link template must use but `base_url` (which it may)."""
LINK_OPTIONAL = {"article": (), "image": ("digest",)}
"""The placeholders a link template may use besides: an image's `{digest}` (a template
without it gets `v=<digest>` ending its query: `syndicate.formats.contract.Urls.image`)."""
_SAMPLE = {"slug": "2021-02-18-story", "lang": "en", "name": "chart.png", "digest": "0123456789ab"}


_P = TypeVar("_P")


class SchemaVerdict:
    """The checks of the site configuration that passed, remembered in a file of the site's
    cache folder (`.syndicate/`): a run reading the same configuration need not import
    jsonschema and check its text against `site.schema.json` again, nor import Pillow and
    decode the publisher's logo and icon, together a fifth of a no-op export's time.

    Each check passed is remembered by a SHA-256 of all it depends on: what it checked (the
    configuration's text and name, which places its messages; the image's bytes, read and
    checked as files on every run), syndicate's code and schemas (`code`, see
    `syndicate.build.inputs.code_digest`), and the distributions installed on `sys.path`
    (an upgrade of jsonschema or Pillow changes their list). Only a check without problems is
    remembered: one with problems runs on every run, so each run reports them. These checks
    emit nothing but their problems, so skipping a passing one changes no message. A file
    that cannot be read or written only means the checks run.

    A story's texts and images are checked the same way (`syndicate.readers.articles.
    read_story`), with no file: the checks its last reading passed come with the story's work
    (`known`, kept in the build state with the story), and those this reading passed go back
    with its results (`passed`), so an edit of one text checks that text only, and an image
    whose bytes were decoded without a problem is not decoded again (its header still is).
    Their keys hold the code but not the configuration (`syndicate.build.workers.
    texts_verdict`): what they check does not depend on it."""

    FILE = "config-check"

    def __init__(
        self,
        cache: Path | None,
        code: str,
        *,
        known: Iterable[str] | None = None,
        installed: Sequence[str] | None = None,
    ) -> None:
        self.path = cache / self.FILE if cache is not None else None
        self.code = code
        self._known = frozenset(known) if known is not None else None
        self._passed: set[str] = set()
        self._installed = list(installed) if installed is not None else None
        self._base: hashlib._Hash | None = None
        self._recalled: dict[str, str] | None = None

    def key(self, *parts: str | bytes) -> str:
        if self._base is None:  # what every key of this verdict starts with
            installed = self._installed if self._installed is not None else _installed()
            self._base = _base_hash(self.code, tuple(installed))
        return _hashed(self._base.copy(), parts).hexdigest()

    def valid(self, key: str) -> bool:
        return key in self._entries()

    def _entries(self) -> frozenset[str]:
        if self._known is None:
            self._known = frozenset()
            if self.path is not None:
                with contextlib.suppress(OSError, ValueError):
                    self._known = frozenset(self.path.read_text(encoding="ascii").split())
        return self._known

    def recall(self, key: str) -> str | None:
        """What a check that passed before remembered with `key` (`remember(key, what)`), or
        None when it did not pass before."""
        if self._recalled is None:
            pairs = (entry.partition(_WHAT) for entry in self._entries())
            self._recalled = {known: what for known, sep, what in pairs if sep}
        return self._recalled.get(key)

    @property
    def passed(self) -> tuple[str, ...]:
        """The checks this run passed, in order."""
        return tuple(sorted(self._passed))

    def problems(self, check: Callable[[], list[_P]], *parts: str | bytes) -> list[_P]:
        """The problems `check` finds; none, without running it, when the same check (what
        `parts` name) passed before. A check without problems is remembered."""
        key = self.key(*parts)
        if self.valid(key):
            self.remember(key)
            return []
        found = check()
        if not found:
            self.remember(key)
        return found

    def remember(self, key: str, what: str = "") -> None:
        """A check of this run that passed (saved by `save`), with what it found, if
        anything (`recall`; text without spaces)."""
        if what:
            assert not any(c.isspace() for c in what), "one word per check in the file"
            self._passed.add(f"{key}{_WHAT}{what}")
        else:
            self._passed.add(key)

    def save(self) -> None:
        """Keep the checks this run passed, and only those. Written only where the cache
        folder already exists (an export creates it, with its .gitignore, and then saves
        again: a site's first export remembers its checks too), and replaced atomically."""
        if self.path is None or frozenset(self._passed) == self._known:
            return
        if not self.path.parent.is_dir():
            return
        temp = self.path.with_name(f"{self.FILE}.{os.getpid()}.tmp")
        try:
            temp.write_text("".join(f"{key}\n" for key in sorted(self._passed)), "ascii")
            os.replace(temp, self.path)
            self._known = frozenset(self._passed)  # saved: a second `save` has nothing to do
            self._recalled = None
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()


_WHAT = "="
"""Between a check's key (hexadecimal) and what it remembered (`SchemaVerdict.remember`)."""


@functools.lru_cache(maxsize=4)
def _base_hash(code: str, installed: tuple[str, ...]) -> hashlib._Hash:
    """What every key of a verdict of `code` and `installed` starts with, hashed once a
    process: each story's reading makes a verdict of its own (`texts_verdict`), and hashed
    the code and the hundreds of distributions' names again for its first key. Never fed
    again: each key is made on a copy."""
    return _hashed(hashlib.sha256(), (code, *installed))


def _hashed(h: hashlib._Hash, parts: Iterable[str | bytes]) -> hashlib._Hash:
    """`h` fed each part, prefixed with its length (no two lists of parts feed the same)."""
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h


@functools.cache
def installed_at_start() -> tuple[str, ...]:
    """`_installed` as this process first found it: what its imported modules came from (a
    worker checks many stories' texts)."""
    return tuple(_installed())


def _installed() -> list[str]:
    """The distributions installed on `sys.path` (their `.dist-info` names carry their
    versions), and the size and time of what is not a folder (a zip). A folder with no
    distribution (the script's, the working folder `python -m` puts first) adds nothing: the
    same packages give the same list in every process of a run, however it was started."""
    found = []
    for entry in sys.path:
        folder = entry or "."
        try:
            if not os.path.isdir(folder):
                stat = os.stat(folder)
                found.append(f"{folder} {stat.st_size} {stat.st_mtime_ns}")
                continue
            names = os.listdir(folder)
        except OSError:
            continue
        installed = sorted(n for n in names if n.endswith((".dist-info", ".egg-info")))
        if installed:
            found += [os.path.abspath(folder), *installed]
    return found


def find_site(start: Path) -> Path | None:
    """The site folder: `start` or the nearest folder above it that holds `syndicate.yaml`
    (as git finds its repository), or None. Anything named so that is not a folder counts (a
    FIFO or a device is then refused by the reader, with a message, instead of skipped)."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if holds_config(folder):
            return folder
    return None


def holds_config(folder: Path) -> bool:
    """Whether `folder` holds a `syndicate.yaml` that is not a folder: a regular file, or a
    FIFO, socket or device, which the reader refuses with a message (`file.special`). Told by
    `stat` alone: nothing is opened (opening a FIFO would block)."""
    candidate = folder / CONFIG_NAME
    # A link to nothing, or a loop of links, counts too: its folder is the site, and the
    # reader says what is wrong with it. Skipped, every command said "no syndicate.yaml ...
    # run `syndicate init`" (which said the site was there already), or took the site of a
    # folder above for this one.
    return (candidate.exists() or candidate.is_symlink()) and not candidate.is_dir()


def dead_link(path: Path, shown: str) -> str:
    """What is wrong with a configuration that is a link leading to no file, and the fix."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{shown} is {LINK_LOOP}; replace the link with the site's configuration"
    return (
        f"{shown} is a link to {os.readlink(path)!r}, which is not there (a share not"
        " mounted, a file moved or renamed): make the link lead to the site's configuration,"
        " or replace it with the file"
    )


def load_config(
    path: Path | str, shown: str, diags: Diagnostics, *, verdict: SchemaVerdict | None = None
) -> SiteConfig | None:
    """Read and check the site configuration; None (with diagnostics) if it is unusable.

    With `verdict`, a configuration whose exact text the last run found valid against the
    schema is not checked against it again (see `SchemaVerdict`); every other check runs."""
    path = Path(path)
    if not path.exists() and path.is_symlink():
        diags.error("config.missing", dead_link(path, shown), shown)
        return None
    if not path.exists():
        diags.error(
            "config.missing",
            f"no site configuration at {shown}; start a site with `syndicate init`"
            " or pass --config",
            shown,
        )
        return None
    read = _yaml_file(path, shown, "config.yaml", diags, EMPTY_CONFIG)
    if read is None:
        return None
    doc, text = read
    data = doc.data
    if not isinstance(data, dict):
        example = "timezone: Europe/Brussels"
        said = not_fields(path.name, example, data, EMPTY_CONFIG)
        diags.error("config.schema", said, SourceRef(shown, doc.line(()) or 1))
        return None

    def schema() -> list[tuple[Where, str]]:
        found = list(check(data, "site.schema.json", root=path.name, key="option"))
        if found:
            return found
        for where, value in (
            (("base_url",), data["base_url"]),
            (("publisher", "url"), data["publisher"]["url"]),
        ):
            if problem := url_problem(value) or _encoded_problem(value) or _port_problem(value):
                found.append((where, f"{'.'.join(where)}: {describe(value)} {problem}"))
        return found

    parts = ("site.schema.json", path.name, text)
    problems = verdict.problems(schema, *parts) if verdict is not None else schema()
    typos = _typos(data)
    for key, hint in typos.items():
        diags.error(
            "config.schema", f"unknown setting {key!r}{hint}", SourceRef(shown, doc.line((key,)))
        )
    settings = load_schema("site.schema.json")["properties"]
    for where, message in problems:
        if where[:1] and where[0] in typos:
            continue  # ("expected fields": read as a format's section)
        if len(where) == 1 and where[0] in _FOLDER_SETTINGS:
            message += (  # Hugo's `theme:`, `layoutDir:`, `staticDir:`
                f"; syndicate has no {where[0]} setting: the pages' templates are always the"
                " templates/ folder beside syndicate.yaml, whose other files (CSS, fonts,"
                " scripts, images) are published beside the pages; remove this line"
            )
        elif len(where) == 1 and where[0] not in settings and "expected fields" in message:
            message += (  # a note, a key of another tool: not a format's options at all
                f"; {where[0]} is read as a format's section: if it is none (a note, another"
                " tool's setting), remove it"
            )
        diags.error("config.schema", message, SourceRef(shown, doc.line(where)))
    if problems or typos:
        return None
    tz = str(data.get("timezone", "UTC"))
    loops = [
        name  # (each would be taken for no folder: the default look, syndicate's phrases)
        for name in (TEMPLATES, TERMS)
        if loop_in(path.parent / name) == path.parent / name
    ]
    for name in loops:
        diags.error(
            "file.link-loop", folder_loop(f"the site's {name} folder"), _beside(shown, name)
        )
    for name in (TEMPLATES, TERMS):
        beside = path.parent / name
        if not beside.is_dir() and (beside.exists() or beside.is_symlink()) and name not in loops:
            diags.warning(
                "config.folder",
                f"{name} beside syndicate.yaml is not a folder, so syndicate's own {name} are"
                f" used; to have {name} of the site's own, make {name}/ a folder and put them"
                " in it (docs/configuration.md)",
                _beside(shown, name),
            )
    sha256s: dict[str, str] = {}  # the logo's and the icon's, by key, as they were checked
    terms = site_terms(path.parent / TERMS, _beside(shown, TERMS), data["languages"], diags)
    folder = path.parent / TEMPLATES
    checks = (
        not loops,
        terms is not None,
        not folder.is_dir() or templates_ok(folder, path.parent, diags),
        _timezone_ok(tz, doc, shown, diags),
        _languages_ok(data["languages"], doc, shown, diags, terms),
        _publisher_files_ok(data["publisher"], path.parent, doc, shown, diags, verdict, sha256s),
        _links_ok(data.get("links", {}), data["base_url"], doc, shown, diags),
    )
    if not all(checks):
        return None
    if verdict is not None:
        verdict.save()
    for key in ("name", "email"):  # shown in every output
        value = data["publisher"].get(key)
        if isinstance(value, str) and (warning := bidi_warning(value, f"publisher.{key}")):
            at = SourceRef(shown, doc.line(("publisher", key)))
            diags.warning("text.bidi-control", warning, at)
    pub = data["publisher"]
    root = path.parent
    links = data.get("links", {})
    known = {"publisher", "base_url", "timezone", "languages", "links", "images"}
    templates = (root / TEMPLATES).absolute() if (root / TEMPLATES).is_dir() else None
    logo = _site_file(root, pub["logo"])
    icon = _site_file(root, pub["icon"]) if "icon" in pub else None
    if icon is not None and _same_file(icon, logo):  # one file named for both, spelt twice
        icon = logo  # published once (`site_files`), as when both are spelt alike
    return SiteConfig(
        publisher=Publisher(
            name=pub["name"],
            url=pub["url"],
            logo=logo,
            icon=icon,
            email=pub.get("email"),
            logo_sha256=sha256s["logo"],
            icon_sha256=sha256s.get("icon", ""),
        ),
        base_url=data["base_url"],
        timezone=tz,
        languages=tuple(data["languages"]),
        # written by hand, they may hold letters a URI carries only encoded, as a story's links
        article_url=uri_form(links.get("article", DEFAULT_ARTICLE_URL)),
        image_url=uri_form(links.get("image", DEFAULT_IMAGE_URL)),
        sections={k: v for k, v in data.items() if k not in known},
        image_gps=data.get("images", {}).get("gps", "warn"),
        lines=dict(doc.lines),
        source=SourceRef(shown),
        folder=root,
        # Absolute: a process may load several sites (tests, an embedding application), and
        # the templates are cached by their folder.
        templates=templates,
        static=static_files(templates, root, diags) if templates is not None else (),
        terms=terms or {},
    )


EMPTY_CONFIG = (
    "the site configuration is empty; it needs publisher, base_url and languages, one"
    " `name: value` line each (docs/configuration.md), or copy the syndicate.yaml that"
    " `syndicate init DIR` writes in a new folder"
)
EMPTY_TERMS = (
    "the terms file is empty; `syndicate terms --lang TAG > terms/TAG.yaml` writes one to"
    " translate, or delete it"
)


def _yaml_file(
    path: Path,
    shown: str,
    code: str,
    diags: Diagnostics,
    empty: str,
    root: Path | None = None,
) -> tuple[YamlDoc, str] | None:
    """A configuration file's YAML and text, or None with the problem (`code`) at its line;
    a value a ` #` cut short is a `yaml.comment` warning. `empty`: the error of an empty file.
    A file whose links leave `root` is refused."""
    text = read_text(path, shown, diags, empty, root)
    if text is None:
        return None
    try:
        doc = parse_yaml(text)
    except YamlProblem as exc:
        diags.error(code, exc.message, SourceRef(shown, exc.line))
        return None
    for line, note in doc.notes:
        diags.warning("yaml.comment", note, SourceRef(shown, line))
    return doc, text


_FOLDER_SETTINGS = frozenset(
    {
        "templates", "template", "templates_dir", "template_dir", "templatesDir", "theme",
        "themes", "themesDir", "themes_dir", "layouts", "layoutDir", "layout_dir", "static",
        "staticDir", "static_dir", "assets", "assetDir",
    }
)  # fmt: skip
"""Top-level keys a Hugo (or Jekyll) user writes to name the pages' folders, which syndicate
takes from `templates/` beside syndicate.yaml, with no setting."""


def _typos(data: dict[str, object]) -> dict[str, str]:
    """Top-level keys that are near misses of a setting (`timezon`, `baseurl`, `publsher`,
    `link`), with their "did you mean": the schema reads any other key as a format's section,
    and said "expected fields" or nothing about them."""
    settings = list(load_schema("site.schema.json")["properties"])
    found = {}
    for key, value in data.items():
        if key in settings:
            continue
        # A section, unless it is a setting misspelt by a letter; a section is never a value.
        hint = did_you_mean(key, settings, cutoff=0.85 if isinstance(value, dict) else CLOSE)
        if hint:
            found[key] = hint
    return found


def _encoded_problem(url: str) -> str | None:
    """A site URL with letters a URI carries only encoded (`https://ycpress.example/é/`):
    every link of every file starts with it, and sitemaps, feeds and their validators take
    URIs; it is shown percent-encoded. A host is to be written in its IDNA form (`xn--`),
    as the registrar gives it: the IDNA 2003 and 2008 forms of some names differ (a story's
    link to such a host is read as a browser reads it, `uri_form`)."""
    if url.isascii():
        return None
    if not urlsplit(url).netloc.isascii():
        return (
            "holds a host name with letters a URL carries only in its IDNA form: write the"
            " host as xn--..., as your registrar gives it"
        )
    return f"holds letters a URL carries only encoded; write it {uri_form(url)!r}"


def _port_problem(url: str) -> str | None:
    """A site URL naming the port its scheme implies (`https://ycpress.example:443/`, or an
    empty one, `https://ycpress.example:/`): the same address as without it, but every id and
    link built on it is spelled otherwise (a feed's id, which readers and partners key on,
    the canonical links, the sitemaps, JSON-LD's ids), so a site that ever writes it the
    other way (or whose publisher.url does) changes them all. Refused with the spelling to
    write, as a scheme in capitals is, rather than rewritten unsaid."""
    fixed = without_default_port(url)
    if fixed == url:
        return None
    parts = urlsplit(url)
    named = (
        f"names the default port of {parts.scheme} (:{parts.port})"
        if parts.port is not None
        else "ends its host with an empty port (:)"
    )
    return (
        f"{named}: the same address as without it, but every link and id made from it (feed"
        f" ids, canonical links, sitemaps) would be spelled otherwise; write {fixed!r}"
    )


def zone_advice(tz: str) -> str:
    """What to write instead of `tz`, which names no IANA time zone, said after it the one
    way every message does (`syndicate.yaml`'s, a story's, `init --timezone`'s): why an
    offset is not a zone, else the zone meant, else an example."""
    if offset := offset_instead_of_zone(tz):
        return f": {offset}"
    meant = zones_meant(tz)
    if not meant:
        return "; use an IANA name such as Europe/Brussels"
    if len(meant) > 1:  # (`Eastern`: the US's and Canada's) every one, to pick from
        each = " or ".join(f"{m.zone!r}" + (f" ({m.older})" if m.older else "") for m in meant)
        return f"; {tz!r} alone is {len(meant)} zones: {each}; write the one of the place meant"
    (one,) = meant
    if one.older is None:
        return suggest(one.zone)
    # `Victoria`: the zone database's is Australia's state (Australia/Melbourne), not the
    # city of Canada (America/Vancouver): the one zone known, and what to do for another
    return (
        f"; did you mean {one.zone!r} (by its older name, {one.older})? For another place"
        f" named {tz.strip()}, write the zone of the city its clocks follow, Region/City, such"
        " as Europe/Brussels"
    )


def _timezone_ok(tz: str, doc: YamlDoc, shown: str, diags: Diagnostics) -> bool:
    if not is_zone(tz):
        diags.error(
            "config.timezone",
            f"unknown time zone {tz!r}{zone_advice(tz)}",
            SourceRef(shown, doc.line(("timezone",))),
        )
        return False
    if advice := fixed_abbreviation(tz):
        diags.warning("config.timezone", advice, SourceRef(shown, doc.line(("timezone",))))
    return True


def _languages_ok(
    tags: list[str],
    doc: YamlDoc,
    shown: str,
    diags: Diagnostics,
    terms: dict[str, dict[str, str]] | None,
) -> bool:
    """Whether the languages are well-formed tags CLDR knows, in their conventional case;
    a language with no phrases of its own (syndicate's or, unless `terms` could not be read,
    the site's) is a warning."""
    ok = True
    for i, tag in enumerate(tags):
        where = SourceRef(shown, doc.line(("languages", i)))
        if not is_valid_tag(tag):
            problem = tag_problem(tag, f"unknown language tag {tag!r}")
            diags.error("config.language", problem, where)
            ok = False
        elif other := spelt_otherwise(tag, tags[:i]):
            diags.error(
                "config.language",
                f"{tag!r} and {other!r} are one language under two tags: each text in it would"
                f" be published twice; keep one of them ({preferred_tag(tag) or tag!r} is the"
                " one BCP 47 prefers)",
                where,
            )
            ok = False
        elif old := deprecated_hint(tag):
            # a warning: a site that has published under the tag keeps working as it did
            diags.warning("config.language", old, where)
        elif tag != canonical_case(tag):
            diags.error(
                "config.language",
                f"write the language tag {tag!r} as {canonical_case(tag)!r}: language files"
                " are named after it",
                where,
            )
            ok = False
        elif terms is not None and not has_terms(tag) and not _phrases(terms, tag):
            copied = any(not k.startswith("section.") for k in terms.get(tag, {}))
            diags.warning(
                "config.terms",
                (
                    f"{_beside(shown, TERMS)}/{tag}.yaml holds syndicate's English phrases, not"
                    f" yet translated: {tag!r} pages show them in English; translate the"
                    " lines `syndicate terms` marks 'translate'"
                    if copied
                    else f'syndicate has no terms for {tag!r}: its fixed phrases ("Updated",'
                    ' "Contents", section names) are shown in English; translate them in'
                    f" {_beside(shown, TERMS)}/{tag}.yaml (start from the output of"
                    f" `syndicate terms --lang {tag}`)"
                ),
                where,
            )
        if (
            is_valid_tag(tag)
            and not has_month_names(tag)
            and not (terms is not None and _phrases(terms, tag))
        ):
            # Said while the language is being set up (no phrases of the site's own for it,
            # as `config.terms` is): nothing in the site can change it, and a warning said on
            # every run would fail every `--strict` one; `syndicate terms` says it too.
            diags.warning(
                "config.dates",
                f"CLDR, which syndicate's human dates come from, names no months in {tag!r}"
                f" (babel has only the placeholders 'M01' to 'M12'): {tag!r} pages give dates"
                " and times in numbers ('2026-03-20', '19:30') rather than in words; this is"
                f" said until {_beside(shown, TERMS)}/{tag}.yaml gives the language's phrases",
                where,
            )
    return ok


def _phrases(terms: dict[str, dict[str, str]], tag: str) -> bool:
    """Whether the site's terms give `tag` (or a tag it falls back to) phrases of its own, not
    only the names of sections, nor only syndicate's English ones copied (the output of
    `syndicate terms` saved as it is)."""
    english = reference()
    tables = [terms.get(fallback, {}) for fallback in fallback_tags(tag)]
    return any(
        not key.startswith("section.") and text != english.get(key)
        for table in tables
        for key, text in table.items()
    )


def _beside(shown: str, name: str) -> str:
    """How to show `name` beside the configuration file shown as `shown`."""
    parent = Path(shown).parent
    return name if parent == Path(".") else (parent / name).as_posix()


def site_terms(
    folder: Path, shown: str, languages: Sequence[str], diags: Diagnostics
) -> dict[str, dict[str, str]] | None:
    """The site's own phrases, `terms/<lang>.yaml` beside syndicate.yaml, by language tag;
    None (with errors naming file and line) when one cannot be used. A file holds phrases of
    syndicate's terms (`syndicate terms --lang en` lists them) and the names of the site's
    sections (`section.<code>`); each phrase keeps the placeholders of syndicate's."""
    if not folder.is_dir():
        return {}
    found: dict[str, dict[str, str]] = {}
    ok = True
    for file in sorted(folder.iterdir()):
        where = f"{shown}/{file.name}"
        tag = file.name.removesuffix(".yaml")
        if file.name.startswith(".") or file.is_dir():
            continue
        if not file.name.endswith(".yaml") or not is_valid_tag(tag):
            diags.warning(
                "config.terms-file",
                "not a terms file, ignored: name it <language tag>.yaml, such as sw.yaml",
                where,
            )
            continue
        if tag != canonical_case(tag):
            diags.error("config.terms-file", f"name the file {canonical_case(tag)}.yaml", where)
            ok = False
            continue
        table = _terms_file(file, where, folder.parent, diags)
        if table is None:
            ok = False
            continue
        found[tag] = table
        # A file serves every language that falls back to it: `pt` serves `pt-BR`, `zh-Hant`
        # serves `zh-TW`, `sr-Latn` serves `sr-Latn-RS`, `he` serves `iw`.
        served = {t.split("-")[0] for t in languages}
        served |= {fallback for t in languages for fallback in fallback_tags(t)}
        if tag not in languages and tag not in served:
            diags.warning(
                "config.terms-file",
                f"{tag!r} is not one of the site's languages ({', '.join(languages)}):"
                " its phrases are not used",
                where,
            )
    return found if ok else None


def unknown_section_terms(config: SiteConfig, sections: Iterable[str], diags: Diagnostics) -> None:
    """A site's `section.<code>` phrase for a code no story is in (`sections`: those of
    every story read), that syndicate.yaml names nowhere (`feeds.sections`, a partner
    profile's `sections`, `epub.section_order`, a delivery target's `sections`) and that is
    none of syndicate's own phrases (`section.politics`): a typo (`section.sprot`), whose name
    is shown nowhere while the section's pages show its code. A `config.terms-section`
    warning at its line, with the nearest code a story is in or the configuration names. A
    section the site names before any story is in it is said until its first story is
    exported. Called only when every story was read: one with errors has a section too."""
    if not config.terms:
        return
    shown = set(sections) | configured_sections(config)
    own = {key.removeprefix("section.") for key in reference() if key.startswith("section.")}
    for tag, table in sorted(config.terms.items()):
        unknown = [
            key
            for key in table
            if key.startswith("section.") and key.removeprefix("section.") not in shown | own
        ]
        if not unknown:
            continue
        where = f"{_beside(config.source.path, TERMS)}/{tag}.yaml"
        lines = _term_lines(config, tag, where)
        for key in unknown:
            code = key.removeprefix("section.")
            diags.warning(
                "config.terms-section",
                f"{key}: no story is in the section {code!r} and syndicate.yaml names it"
                f" nowhere, so this name is shown nowhere{did_you_mean(code, sorted(shown))}",
                SourceRef(where, lines.get(key, 0)),
            )


def configured_sections(config: SiteConfig) -> set[str]:
    """The section codes syndicate.yaml names: `feeds.sections`, each partner profile's
    `sections`, `epub.section_order` and each delivery target's `sections`."""

    def part(value: object) -> dict[str, Any]:
        return value if isinstance(value, dict) else {}

    lists: list[object] = [
        part(config.sections.get("feeds")).get("sections"),
        part(config.sections.get("epub")).get("section_order"),
    ]
    lists += [part(p).get("sections") for p in part(config.sections.get("profiles")).values()]
    targets = part(config.sections.get("deliver")).get("targets")
    if isinstance(targets, list):
        lists += [part(t).get("sections") for t in targets]
    return {
        code
        for codes in lists
        if isinstance(codes, list)
        for code in codes
        if isinstance(code, str)
    }


def _term_lines(config: SiteConfig, tag: str, shown: str) -> dict[str, int]:
    """The line of each phrase of the site's terms file of `tag` (read again: a warning is
    rare, and the phrases keep no lines), or none when it cannot be read now."""
    if config.folder is None:
        return {}
    read = _yaml_file(config.folder / TERMS / f"{tag}.yaml", shown, "", Diagnostics(), "")
    if read is None or not isinstance(read[0].data, dict):
        return {}
    doc = read[0]
    return {str(key): doc.line((key,)) for key in doc.data}


_SECTION_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A section code, as article.schema.json has it."""


def _terms_file(file: Path, shown: str, site: Path, diags: Diagnostics) -> dict[str, str] | None:
    """The phrases of one terms file, checked as a story's files are before it is opened (a
    regular file with one name on disk, inside the `site` folder after links, within the text
    budget), or None with the problems."""
    root = site.resolve()
    try:
        if status_checked(file, root, budgets.MAX_TEXT_BYTES)[1] == 0:
            return {}  # (`syndicate terms > terms/sw.yaml`: made empty first)
    except Refused as exc:
        diags.error(*site_refusal(exc), shown)
        return None
    read = _yaml_file(file, shown, "config.terms-yaml", diags, EMPTY_TERMS, root)
    if read is None:
        return None
    doc = read[0]
    if doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        diags.error(
            "config.terms-yaml",
            "a terms file is a mapping of phrases, such as `updated: Updated {date}`",
            SourceRef(shown, doc.first_line),
        )
        return None
    table: dict[str, str] = {}
    ok = True
    for key, value in doc.data.items():
        at = SourceRef(shown, doc.line((key,)))
        key = str(key)
        section = key.startswith("section.") and _SECTION_CODE.fullmatch(key[8:]) is not None
        if not (has_term(key) or section):
            diags.warning(
                "config.terms-key",
                f"{key!r} is not a phrase syndicate uses, ignored{did_you_mean(key, reference())}",
                at,
            )
            continue
        if not isinstance(value, str) or not value.strip():
            diags.error("config.terms-yaml", f"{key}: write the phrase as text", at)
            ok = False
            continue
        wanted = placeholders(key)
        problem, used = template_problem(value, wanted)
        if problem is None and used != set(wanted):
            missing = ", ".join(f"{{{n}}}" for n in wanted if n not in used)
            problem = f"it must hold {missing}, as syndicate's phrase does"
        if problem is not None:
            diags.error("config.terms-placeholder", f"{key}: {problem}", at)
            ok = False
            continue
        if warning := bidi_warning(value, key):
            diags.warning("text.bidi-control", warning, at)
        table[key] = value
    return table if ok else None


def _publisher_files_ok(
    pub: dict[str, str],
    root: Path,
    doc: YamlDoc,
    shown: str,
    diags: Diagnostics,
    verdict: SchemaVerdict | None = None,
    sha256s: dict[str, str] | None = None,
) -> bool:
    """The logo and icon are images syndicate can publish (checked as story images are); an
    image `verdict` remembers as good is read and checked as a file, not decoded again. The
    SHA-256 of each (the bytes checked) goes into `sha256s`: their URLs carry it."""
    ok = True
    for key in ("logo", "icon"):
        if key not in pub:
            continue
        where = SourceRef(shown, doc.line(("publisher", key)))
        found, twins = spelt_on_disk(root, pub[key])
        if twins:  # which one is the logo? refused, as a story's picture is
            diags.error(
                "config.file", f"publisher {key} {pub[key]!r}: {twins_problem(twins)}", where
            )
            ok = False
            continue
        try:
            data = read_checked(root / found, None, budgets.MAX_IMAGE_BYTES)
            if sha256s is not None:
                sha256s[key] = hashlib.sha256(data).hexdigest()
            image = verdict.key("image", data) if verdict is not None else None
            if verdict is None or image is None or not verdict.valid(image):
                facts = inspect_image(data)
                if key == "icon" and facts.width != facts.height:  # said when first read
                    diags.warning(
                        "config.icon",
                        f"publisher icon {pub[key]!r} is {facts.width}x{facts.height} px:"
                        " feeds, JSON Feed and search engines show icons square, so it is"
                        " squeezed or cropped; give a square image (e.g. 512x512)",
                        where,
                    )
            if verdict is not None and image is not None:
                verdict.remember(image)
        except Refused as exc:
            problem = f": {exc.message}"
            if exc.code == "file.missing":  # (a logo moved or renamed, a folder not copied)
                optional = "" if key == "logo" else ", or remove the line (an icon is optional)"
                problem = (
                    f" does not exist: put the image there, or set publisher.{key} to the path"
                    f" of yours, from the folder of syndicate.yaml{optional}"
                )
            diags.error("config.file", f"publisher {key} {pub[key]!r}{problem}", where)
            ok = False
        except ImageProblem as exc:
            diags.error("config.file", f"publisher {key} {pub[key]!r}: {exc}", where)
            ok = False
    logo, icon = (Path(pub[key]) if key in pub else None for key in ("logo", "icon"))
    if (
        logo is not None
        and icon is not None
        and icon != logo
        and _one_name(icon.name) == _one_name(logo.name)
        # one file, spelt otherwise: fine
        and not _same_file(_site_file(root, pub["icon"]), _site_file(root, pub["logo"]))
    ):
        # Both are published by their names in html/media/site/: the export stopped with
        # "written twice" naming no line, and the feeds named the logo as the icon. Names
        # apart in letter case alone are one file on a Mac's or Windows' file system.
        alike = "" if icon.name == logo.name else " but for letter case"
        diags.error(
            "config.file",
            f"publisher icon {pub['icon']!r} has the file name of the logo ({logo.name}){alike}:"
            " both are published under their names in html/media/site/, so one would"
            " replace the other; rename one of them",
            SourceRef(shown, doc.line(("publisher", "icon"))),
        )
        ok = False
    return ok


def _site_file(root: Path, written: str) -> Path:
    """A file syndicate.yaml names (the logo, the icon), found whichever Unicode form the disk
    stores its name in, as a story's pictures are (`spelt_on_disk`): `logé.png` is read
    (composed, NFC, as syndicate.yaml is) from a file macOS saved decomposed (NFD); it is
    published under the composed name (`site_media_path`)."""
    return root / spelt_on_disk(root, written)[0]


def _one_name(name: str) -> str:
    """A file name as a file system that ignores letter case and Unicode forms (macOS,
    Windows) compares it, as story images' published names are (`image.name`)."""
    return unicodedata.normalize("NFC", name).casefold()


def _same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file (`a/../logo.png` and `logo.png`, or a link to it)."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # (one is missing or unreadable: said where it is read)
        return False


def _links_ok(
    links: dict[str, str], base_url: str, doc: YamlDoc, shown: str, diags: Diagnostics
) -> bool:
    ok = True
    for kind, template in links.items():
        problem = link_template_problem(kind, template, base_url)
        if problem:
            where = SourceRef(shown, doc.line(("links", kind)))
            diags.error("config.links", f"links: {kind}: {problem}", where)
            ok = False
    return ok


def template_problem(template: str, allowed: Sequence[str]) -> tuple[str | None, set[str]]:
    """Why `template` cannot be filled (`syndicate.model.site.fill`), or None; and the
    placeholders it uses. It may hold only the `allowed` placeholders, each without a format
    or conversion: a `str.format` template would reach attributes (`{date.__class__}`) and
    pad to any size (`{date:>9999999999}`)."""
    shown = ", ".join(f"{{{name}}}" for name in allowed)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        closed = f"a {{ or }} is not closed; write placeholders as {shown} (and {{{{ for a brace)"
        return closed, set()
    used: set[str] = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed:
            if not allowed:
                return f"unknown placeholder {{{name}}}: it takes none (a brace is {{{{)", used
            hint = did_you_mean(name, allowed)
            return f"unknown placeholder {{{name}}}{hint}; use only {shown}", used
        if problem := field_problem(name, spec, conversion):
            return problem, used
        used.add(name)
    return None, used


def _fields(template: str) -> set[str]:
    """The placeholders of a checked link template before its fragment (`#`): those in the
    URL a server receives."""
    return {name for _, name, _, _ in string.Formatter().parse(template.partition("#")[0]) if name}


def _has_v(template: str) -> bool:
    """Whether a link template's query has a parameter named `v` (`?v=2`, `&v`, or `%76`,
    which a server decodes to `v`), which `syndicate.formats.contract.versioned` would give
    a second one."""
    query = template.partition("#")[0].partition("?")[2]
    return any(unquote(item.partition("=")[0]) == "v" for item in query.split("&"))


def link_template_problem(kind: str, template: str, base_url: str) -> str | None:
    """Why a link template cannot be used, or None: it may hold only its documented
    placeholders, must hold those that make each link unique, and must give an absolute
    http(s) URL."""
    needed = LINK_FIELDS[kind]
    allowed = needed + LINK_OPTIONAL[kind]
    if template != template.strip():  # pasted with a space or a line's end around it
        return f"remove the space around it: {template.strip()!r}"
    problem, used = template_problem(template, allowed)
    if problem is not None:
        return problem
    if missing := [name for name in needed[1:] if name not in used]:
        need = " and ".join(f"{{{name}}}" for name in missing)
        return f"add {need}: without it, different {kind}s would get the same URL"
    if kind == "image" and "digest" in used and "digest" not in _fields(template):
        # `uses_field` says the template places the digest, so nothing is appended; after
        # `#`, no server, CDN or partner sees it: the photo's URL never changed for them.
        return (
            "its {digest} is in the fragment (after #), which is never sent to a server or"
            " CDN, so a replaced photo would keep its URL there: put {digest} in the path or"
            " the query (v={digest})"
        )
    if kind == "image" and "digest" not in used and _has_v(template):
        return (
            "its query has a v= of its own, and syndicate ends each image URL's query with"
            " v=<digest of its bytes> (so a replaced photo is a new URL), which would give"
            " it two: write v={digest} where the digest goes, or name the parameter otherwise"
        )
    sample = fill(template, base_url=base_url, **_SAMPLE)
    url = urlsplit(sample)
    if url.scheme.lower() not in ("http", "https") or not url.netloc:
        return f"gives {sample!r}, not an absolute http(s) URL; start it with {{base_url}}"
    # What `base_url` is held to: every page, feed and sitemap carries these links.
    written = sample.partition(":")[0]  # (urlsplit gives the scheme in lowercase)
    if written != written.lower():
        return f"gives {sample!r}: write {written}:// in lowercase"
    if unsafe := sorted(set(re.findall(r"""[\s"<>\\^`{|}]""", sample))):
        said = ", ".join(repr(c) if not c.isspace() else "a space" for c in unsafe)
        return f"gives {sample!r}, which a URL cannot hold ({said}): write each as %XX"
    if problem := url_problem(sample):
        return f"gives {sample!r}, which {problem}"
    return None
