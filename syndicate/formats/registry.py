"""The one list of output formats. The CLI's choices, `syndicate formats` and the "unknown
format" message read it; formats are imported only when used, so start-up stays fast.

A format has one name: the key it is registered under. A plugin declares its writer in the
entry point group `syndicate.writers` (`partner = mypackage.partner:PartnerWriter`); a writer
whose own `name` differs from that key is refused when it is loaded, with a diagnostic.

Partner feed profiles (`syndicate.formats.partners`) are formats too, one name each: the
built-in ones are listed here, a site defines more in the `profiles:` section of its
configuration, and `for_site` gives the registry that knows them. A profile is written by
`--format all` only when the site configures it."""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import os
import sys
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, get_args

from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import AnyWriter, Options, Scope, Writer, is_media_type
from syndicate.model import SiteConfig

ENTRY_POINT_GROUP = "syndicate.writers"

# Built-in formats, by name. A newsroom adds its own through the entry point group above,
# exactly as these could be declared; a plugin cannot shadow a built-in name.
BUILTIN: dict[str, str] = {
    "atom": "syndicate.formats.feeds.atom:AtomWriter",
    "epub": "syndicate.formats.epub.writer:EpubWriter",
    "html": "syndicate.formats.html.writer:HtmlWriter",
    "jsonfeed": "syndicate.formats.jsonfeed.writer:JsonFeedWriter",
    "jsonld": "syndicate.formats.jsonld.writer:JsonLdWriter",
    "model": "syndicate.formats.model.writer:ModelWriter",
    "newsml": "syndicate.formats.newsml.writer:NewsMLWriter",
    "ninjs": "syndicate.formats.ninjs.writer:NinjsWriter",
    "rss": "syndicate.formats.feeds.rss:RssWriter",
    "sitemap": "syndicate.formats.sitemap.writer:SitemapWriter",
}
PROFILES: dict[str, str] = {
    "flipboard": "syndicate.formats.partners.profiles:flipboard",
    "google-news": "syndicate.formats.partners.profiles:google_news",
    "msn": "syndicate.formats.partners.profiles:msn",
    "smartnews": "syndicate.formats.partners.profiles:smartnews",
}
"""The built-in partner feed profiles (in `--format all` only when the site configures them)."""
BUILTIN.update(PROFILES)
PROFILES_SECTION = "profiles"
PARTNERS_FOLDER = "partners"
"""The folder of out/ holding a folder per partner profile (`partners/<name>`)."""
SECTIONS: dict[str, str] = {
    "atom": "feeds",
    "epub": "epub",
    "html": "html",
    "jsonfeed": "feeds",
    "jsonld": "jsonld",
    "model": "model",
    "newsml": "newsml",
    "ninjs": "ninjs",
    "rss": "feeds",
    "sitemap": "sitemap",
}
"""The section of syndicate.yaml each built-in format reads (its writer's `section()`, checked
by `tests/test_registry.py`), known without importing it; a partner profile's is a part of
`profiles`."""
FOLDERS: dict[str, tuple[str, ...]] = {"epub": ("epub", "opds"), "sitemap": ("sitemaps",)}
"""The folders of out/ a built-in format writes, where they are not the one named after it
(its writer's `owned_folders`, checked by `tests/test_registry.py`), known without importing
it; a partner profile's is `partners/<name>`."""
RESERVED_FOLDERS = (
    "atom", "epub", "html", "jsonfeed", "jsonld", "model", "newsml", "ninjs", "opds",
    "partners", "rss", "sitemaps",
)  # fmt: skip
"""The folders of out/ syndicate's own formats write (each writer's `owned_folders`, checked
by `tests/test_registry.py`; a partner profile's are under `partners/`): no plugin may own one
of them, nor a folder inside or around one."""

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

Target = str | Callable[[], AnyWriter]
"""Where a writer comes from: `module:Class`, or a callable making the writer (for tests and
embedding applications that configure a writer, e.g. with another cover renderer)."""


class UnknownFormat(LookupError):
    pass


class PluginError(Exception):
    """A registered writer that cannot be used; the message says which and what to change."""


class Registry:
    def __init__(
        self,
        table: Mapping[str, Target],
        *,
        profiles: Collection[str] | None = None,
        enabled: Collection[str] = (),
        own: Collection[str] = (),
        refused: Mapping[str, str] | None = None,
        listed_only: bool = False,
    ) -> None:
        """`profiles`: the names that are partner profiles (default: the built-in ones in
        `table`); of those, `--format all` writes only the `enabled` ones. `own`: more names
        whose writers are syndicate's code (a site's partner profiles), besides the built-in
        formats registered under their names."""
        self._table = dict(sorted(table.items()))
        self._loaded: dict[str, AnyWriter] = {}
        known = PROFILES.keys() if profiles is None else profiles
        self._profiles = frozenset(known) & self._table.keys()
        self._enabled = frozenset(enabled)
        builtin = {name for name, target in self._table.items() if BUILTIN.get(name) == target}
        self._own = frozenset(own) & self._table.keys() | builtin
        self.refused: dict[str, str] = dict(refused or {})
        """Plugins not registered, with why (a name syndicate's formats or `all` take)."""
        self._listed_only = listed_only
        """Whether `for_site` leaves out the built-in profiles the site does not list."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._table)

    @property
    def defaults(self) -> tuple[str, ...]:
        """What `--format all` writes: every format but the partner profiles not enabled."""
        off = self._profiles - self._enabled
        return tuple(name for name in self._table if name not in off)

    def section(self, name: str) -> str:
        """The top section of syndicate.yaml the format `name` reads (`feeds`, `profiles`);
        a plugin's is known once it is loaded (raises `UnknownFormat`, `PluginError`)."""
        if name in self._profiles:
            return PROFILES_SECTION
        if name in self._own and name in SECTIONS:
            return SECTIONS[name]
        return self.get(name).section().split(".")[0]

    def section_owners(self, writers: Iterable[AnyWriter]) -> list[AnyWriter]:
        """The built-in formats, not among `writers`, whose sections plugins of `writers`
        read (a plugin with `config_section = "html"`): checked with them, a plugin that
        declares other options than that format is told so (`plugin.section`), even in a run
        without that format, rather than each option of the format's being "unknown"."""
        writers = list(writers)
        named = {writer.name for writer in writers}
        read = {writer.section() for writer in writers if writer.name not in self._own}
        return [
            self.get(name)
            for name in self._table
            if name in self._own and SECTIONS.get(name) in read and name not in named
        ]

    def owned_folders(self, name: str) -> tuple[str, ...]:
        """The folders of out/ the format `name` writes (`Writer.owned_folders`); of
        syndicate's own formats, known without importing them: a run of a few formats into an
        out/ holding every one's folders loaded them all (the books', the partners'). A
        plugin's are known once it is loaded (raises `UnknownFormat`, `PluginError`)."""
        if name in self._own and name not in self._loaded:
            if name in self._profiles:
                return (f"{PARTNERS_FOLDER}/{name}",)
            return FOLDERS.get(name, (name,))
        return self.get(name).owned_folders()

    def is_profile(self, name: str) -> bool:
        return name in self._profiles

    def is_own(self, name: str) -> bool:
        """Whether the writer of `name` is syndicate's own code (a built-in format, or a
        partner profile the site configures): what it does is then part of `code_digest` and
        the configuration, and a run may tell it would change nothing without loading it."""
        return name in self._own

    def for_site(self, config: SiteConfig, diags: Diagnostics) -> Registry:
        """This registry with the site's partner profiles (its `profiles:` section): a profile
        of its own becomes a format, a built-in one it configures is enabled. Names already
        taken by other formats are reported."""
        if PROFILES_SECTION not in config.sections:
            return self._listed() if self._listed_only else self
        from syndicate.formats.partners.profiles import site_profiles

        taken = [name for name in self._table if name not in self._profiles]
        found = site_profiles(config, taken, diags)
        made = Registry(
            {**self._table, **{name: target for name, (target, _) in found.items()}},
            profiles=self._profiles | found.keys(),
            enabled=self._enabled | {name for name, (_, on) in found.items() if on},
            own=self._own | found.keys(),
            refused=self.refused,
        )
        return made._listed() if self._listed_only else made

    def listed_only(self) -> Registry:
        """This registry, whose `for_site` leaves out the built-in partner profiles the site
        does not list in `profiles:`: their folders are then no format's (orphaned). For the
        preview, whose folder no partner fetches: a profile taken out of syndicate.yaml
        leaves it, where out/ keeps one written by `export --format msn` up to date."""
        return Registry(
            self._table,
            profiles=self._profiles,
            enabled=self._enabled,
            own=self._own,
            refused=self.refused,
            listed_only=True,
        )

    def _listed(self) -> Registry:
        unlisted = self._profiles - self._enabled
        return Registry(
            {name: target for name, target in self._table.items() if name not in unlisted},
            profiles=self._profiles - unlisted,
            enabled=self._enabled,
            own=self._own - unlisted,
            refused=self.refused,
        )

    def report_refused(self, diags: Diagnostics) -> None:
        """A warning for each plugin not registered: it was ignored in silence."""
        for message in self.refused.values():
            diags.warning("plugin.writer", message)

    def get(self, name: str) -> AnyWriter:
        """The writer registered as `name`; raises UnknownFormat or PluginError."""
        if name not in self._table:
            raise UnknownFormat(self.unknown_message(name))
        if name not in self._loaded:
            made = self._load(name, self._table[name])
            if name not in self._own and name not in BUILTIN:
                # (under a built-in name: a built-in writer an application configures, e.g.
                # with another cover renderer, whose folders are its own; a site's partner
                # profile reads its part of `profiles`)
                problem = _section_problem(made)
                if problem is not None:
                    where = self._table[name]
                    where = where if isinstance(where, str) else repr(where)
                    raise PluginError(f"format {name!r} ({where}) {problem}")
                self._check_folders(name, made)
            self._loaded[name] = made
        return self._loaded[name]

    def _check_folders(self, name: str, writer: AnyWriter) -> None:
        """A plugin's folders must be plain relative folders of out/, owned by no other
        format: the build publishes and removes whole folders, so a plugin claiming `atom`
        (or `..`) would replace or remove another format's files. Names are compared without
        case: on the file systems of macOS and Windows `Atom` is `atom`."""
        where = self._table[name]
        taken: dict[str, str] = {}
        for other_name in self._table:  # every other plugin: the answer is that of any order
            if other_name == name or other_name in self._own or other_name in BUILTIN:
                continue
            plugin = self._loaded.get(other_name)
            if plugin is None:
                try:
                    plugin = self._load(other_name, self._table[other_name])
                except PluginError:
                    continue  # said when it is used
            with contextlib.suppress(TypeError):
                taken.update((folder, other_name) for folder in plugin.owned_folders())
        taken.update((folder, "syndicate") for folder in RESERVED_FOLDERS)
        folders = writer.owned_folders()
        if not isinstance(folders, tuple | list) or not folders:
            raise PluginError(f"format {name!r} ({where}): `folders` must be a tuple of names")
        for folder in folders:
            parts = folder.split("/") if isinstance(folder, str) else [""]
            if any(p in ("", ".", "..") or p.startswith(".") or "\\" in p for p in parts):
                raise PluginError(
                    f"format {name!r} ({where}) owns the folder {folder!r}: a folder of out/"
                    " is a relative name such as 'headlines' or 'partners-x/feeds', with no"
                    " '..', '.' or empty part"
                )
            for other, owner in taken.items():
                mine, theirs = folder.casefold(), other.casefold()  # `Atom` is `atom` on a Mac
                if mine == theirs or mine.startswith(f"{theirs}/") or theirs.startswith(f"{mine}/"):
                    whose = "syndicate's formats" if owner == "syndicate" else f"format {owner!r}"
                    raise PluginError(
                        f"format {name!r} ({where}) owns the folder {folder!r}, which overlaps"
                        f" {other!r} of {whose}: a run would replace or remove that format's"
                        " files; give the plugin a folder of its own"
                    )

    def all(self) -> list[AnyWriter]:
        return [self.get(name) for name in self.names]

    def unknown_message(self, name: str) -> str:
        hint = did_you_mean(name, self.names)
        return f"unknown format {name!r}{hint} (formats: {', '.join(self.names)}, all)"

    @staticmethod
    def _load(name: str, target: Target) -> AnyWriter:
        where = target if isinstance(target, str) else repr(target)
        try:
            if isinstance(target, str):
                module, _, attr = target.partition(":")
                made = getattr(importlib.import_module(module), attr)()
            else:
                made = target()
        except Exception as exc:  # a broken plugin must not take the command down
            raise PluginError(f"format {name!r} ({where}) cannot be loaded: {exc!r}") from None
        if not isinstance(made, Writer):
            raise PluginError(f"format {name!r} ({where}) is not a syndicate Writer")
        options = getattr(made, "Options", None)
        if not (isinstance(options, type) and issubclass(options, Options)):
            raise PluginError(
                f"format {name!r} ({where}) has no `Options`: give the writer class an"
                " `Options` (a subclass of syndicate.formats.contract.Options; `NoOptions`"
                " for none)"
            )
        if getattr(made, "name", None) != name:
            raise PluginError(
                f"format {name!r} ({where}) names itself {getattr(made, 'name', None)!r}; give"
                " the entry point and the writer's `name` the same value"
            )
        if name not in BUILTIN:  # (syndicate's own are checked by its tests)
            problem = _declaration_problem(made, options)
            if problem is not None:
                raise PluginError(f"format {name!r} ({where}) {problem}")
        return made


def _declaration_problem(writer: AnyWriter, options: type[Options]) -> str | None:
    """What a plugin's writer class declares wrong that would only fail later (`syndicate
    formats` listing, `deliver` sending its files, a site leaving its section out)."""
    for attribute in ("description", "media_type", "extension"):
        if not isinstance(getattr(writer, attribute, None), str):
            return f"has no `{attribute}`: give the writer class one (text)"
    scopes = get_args(Scope)
    if getattr(writer, "scope", None) not in scopes:
        return (
            f"has the `scope` {getattr(writer, 'scope', None)!r}: give what one of its files"
            f" holds, one of {', '.join(map(repr, scopes))}"
        )
    if not is_media_type(writer.media_type):
        return (
            f"has the `media_type` {writer.media_type!r}, which is not a media type: give"
            " `type/subtype`, with `; name=value` parameters if any, such as 'text/plain'"
            " (what an HTTP header holds: no line break, no space in a name)"
        )
    try:
        defaults = options()
    except TypeError as exc:
        return (
            f"has an option without a default ({exc}): give each one, a site may leave the"
            " section out"
        )
    import msgspec

    try:
        msgspec.convert(msgspec.to_builtins(defaults), options, strict=False)
    except (msgspec.ValidationError, TypeError) as exc:
        return f"has a default its own options refuse ({exc}): correct the default"
    return None


def _section_problem(writer: AnyWriter) -> str | None:
    """What is wrong with the section of syndicate.yaml a plugin reads (`config_section`, or
    its name): one of syndicate's own sections would be taken over (`export: keep_going:`
    became an unknown option of the plugin's), and a part of a built-in format's section
    (`html.extra`) is an option that format refuses. A built-in format's whole section is
    shared only with its record (`resolve_options` says so)."""
    section = getattr(writer, "config_section", None)
    if section is not None and (not isinstance(section, str) or not section.strip(".")):
        return (
            f"has the `config_section` {section!r}: give the section of syndicate.yaml its"
            " options are in as text (such as 'headlines'), or leave it out for its name"
        )
    top, dot, _ = writer.section().partition(".")
    if top in RESERVED:
        return (
            f"reads its options from the section {top!r} of syndicate.yaml, which is"
            f" syndicate's own ({', '.join(sorted(RESERVED))}): the plugin would take it"
            " over; give the writer a `config_section` of its own (default: its name)"
        )
    if dot and top in SECTIONS.values():
        return (
            f"reads its options from {writer.section()!r}, a part of the section {top!r} of"
            " syndicate's formats, which refuse options they do not know; give the writer a"
            " `config_section` of its own (default: its name)"
        )
    return None


def entry_points(group: str) -> Iterable[EntryPoint]:
    """The entry points of `group` (`importlib.metadata.entry_points`). Importing
    importlib.metadata and reading every installed distribution's metadata costs a no-op
    export a twentieth of its time, and almost always finds no plugin: so the scan runs only
    when `may_declare` cannot rule the group out."""
    if not may_declare(group):
        return ()
    from importlib.metadata import entry_points as scan

    return scan(group=group)


def may_declare(group: str) -> bool:
    """False only when no installed distribution can declare entry points in `group`: none of
    the `entry_points.txt` files of the `.dist-info` and `.egg-info` folders on `sys.path`
    (where importlib.metadata looks) mentions its name. A place that needs more than reading
    a folder (a zip or egg on the path, a metadata finder of another kind) answers True, and
    importlib.metadata decides."""
    for finder in sys.meta_path:
        if finder is not importlib.machinery.PathFinder and hasattr(finder, "find_distributions"):
            return True
    needle = group.encode("utf-8")
    for root in sys.path:
        folder = root or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True  # a zip file on the path
            continue
        if folder.lower().endswith(".egg"):
            return True
        try:
            names = os.listdir(folder)
        except OSError:
            return True
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as file:
                    if needle in file.read():
                        return True
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError:
                return True
    return False


RESERVED = frozenset(
    {"export", "deliver", "serve", "profiles", "publisher", "base_url", "timezone", "languages"}
    | {"links", "images"}
)
"""Names of syndicate.yaml's own sections and keys: a plugin format so named would take its
section over (a plugin named `export` made `export: keep_going: true` an unknown option)."""


def _origin(ep: EntryPoint) -> str:
    """An entry point as a message names it: its target, and its package when known."""
    dist = getattr(ep, "dist", None)
    return f"{ep.value} of {dist.name}" if dist is not None else ep.value


@cache
def default_registry() -> Registry:
    table: dict[str, Target] = {}
    refused: dict[str, str] = {}
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in RESERVED:
            refused[ep.name] = (
                f"the plugin format {ep.name!r} ({ep.value}) is not used: {ep.name!r} is a"
                " section of syndicate.yaml that is not a format's; register the plugin's"
                " entry point and `name` as another name"
            )
        elif ep.name in BUILTIN or ep.name == "all":
            what = "`--format all`" if ep.name == "all" else "one of syndicate's formats"
            refused[ep.name] = (
                f"the plugin format {ep.name!r} ({ep.value}) is not used: {ep.name!r} is"
                f" {what}; register the plugin's entry point and `name` as another name"
            )
        else:
            found.setdefault(ep.name, []).append(ep)
    for name, eps in found.items():
        if len({ep.value for ep in eps}) == 1:
            table[name] = eps[0].value
            continue
        # Which would win is the order of sys.path: neither is used, as for two plugins
        # owning one folder.
        refused[name] = (
            f"the plugin format {name!r} is not used: {len(eps)} installed packages register"
            f" it ({', '.join(sorted(map(_origin, eps)))}); uninstall all but one, or register each"
            " under a name of its own"
        )
    table.update(BUILTIN)
    return Registry(table, refused=refused)
