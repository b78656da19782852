"""The registry of output formats: the one list that the CLI, help and errors read; plugins
come in through an entry point under one name."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO

from syndicate.cli import main
from syndicate.formats import registry as registry_module
from syndicate.formats.contract import Options, Writer
from syndicate.formats.options import describe
from syndicate.formats.registry import (
    BUILTIN,
    RESERVED_FOLDERS,
    PluginError,
    Registry,
    UnknownFormat,
    default_registry,
)

PROFILES = {"flipboard", "google-news", "msn", "smartnews"}
FORMATS = {
    "atom", "epub", "html", "jsonfeed", "jsonld", "model", "newsml", "ninjs", "rss", "sitemap",
} | PROFILES  # fmt: skip
PLUGIN = Path(__file__).parent / "fixtures" / "plugin"


def test_every_format_is_registered_once_and_sorted() -> None:
    names = default_registry().names
    assert set(names) == FORMATS
    assert list(names) == sorted(names)


def test_all_leaves_out_the_partner_profiles_a_site_does_not_configure() -> None:
    assert set(default_registry().defaults) == FORMATS - PROFILES
    assert all(default_registry().is_profile(name) for name in PROFILES)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_writer_declares_its_contract(name: str) -> None:
    writer = default_registry().get(name)
    assert isinstance(writer, Writer)
    assert writer.name == name
    assert writer.scope in ("variant", "story", "collection")
    assert writer.extension.startswith(".") and "/" in writer.media_type
    assert writer.description and writer.owned_folders()
    assert issubclass(writer.Options, Options)
    options = describe(writer.Options)
    assert len({opt.name for opt in options}) == len(options)
    assert all(opt.help for opt in options)


def test_the_sections_known_without_loading_are_the_writers_own() -> None:
    """`Registry.section` answers for syndicate's formats without importing them (an export
    checks every section of syndicate.yaml); what it answers is what each writer reads."""
    registry = default_registry()
    for name in registry.names:
        assert registry.section(name) == registry.get(name).section().split(".")[0], name


CONTRACT = {"story_files", "collection_files", "validate_outputs"}
"""What a format implements: one or both of the two functions, and its output validator."""
HOOK_METHODS = {"media_type_of", "in_window", "check_site_inputs", "check_stories"}
"""The optional hooks that are methods (docs/architecture.md, "Optional hooks"): the media
type of a file, for formats whose folders hold several kinds; whether a story is in the
writer's time window, for a window without its first instant (a partner's age limit); the
check of the site's own files it reads, for `validate` (the HTML pages' templates); the
check of its options against the stories, for `validate` (a section no story is in)."""
HOOK_ATTRIBUTES = {
    "folders",
    "config_section",
    "embargoed",
    "site_inputs",
    "section_feeds",
    "window",
}
"""The optional hooks that are declarations with a default (the same page)."""
FEED_DIALECT = {"render_entry", "render_document", "render_tombstone", "feed_image", "check_file"}
"""The feed formats declare their dialect as data (renderers, the file check), not as
contract."""


def test_every_writer_is_the_same_two_functions() -> None:
    """No format carries a contract of its own: the two functions and its validator, the
    optional hooks, its options record (`Options`) and its constructor; nothing else callable
    in any class between `Writer` and a registered writer."""
    allowed = CONTRACT | HOOK_METHODS | FEED_DIALECT | {"Options", "__init__"}
    for writer in default_registry().all():
        for cls in type(writer).__mro__:
            if cls is Writer or not issubclass(cls, Writer):
                continue
            own = {name for name, value in vars(cls).items() if callable(value)}
            assert own <= allowed, (cls.__name__, own - allowed)


def test_the_writer_contract_has_only_the_documented_hooks() -> None:
    """Whatever `Writer` offers besides the two functions and the validator is an optional
    hook of docs/architecture.md's table (or a helper the engine calls on every writer), so a
    hook added to the contract is documented for the next format's author."""
    helpers = {"owned_folders", "section"}
    offered = {name for name in vars(Writer) if not name.startswith("_")}
    assert offered == CONTRACT | HOOK_METHODS | HOOK_ATTRIBUTES | helpers
    page = (REPO / "docs/architecture.md").read_text(encoding="utf-8")
    table = page.split("### Optional hooks\n", 1)[1].split("\n## ", 1)[0]
    for hook in HOOK_METHODS | HOOK_ATTRIBUTES | {"Planned", "Memo", "lists_summaries"}:
        assert f"`{hook}" in table, hook
    for hook in HOOK_METHODS:  # as a format's author writes it (`in_window` lacked `lang`)
        params = list(inspect.signature(getattr(Writer, hook)).parameters)[1:]
        assert f"`{hook}({', '.join(params)})`" in table, hook


def test_no_two_writers_own_a_folder() -> None:
    owners: dict[str, str] = {}
    for writer in default_registry().all():
        for folder in writer.owned_folders():
            assert folder not in owners, f"{folder} owned by {owners[folder]} and {writer.name}"
            owners[folder] = writer.name


def test_the_reserved_folders_are_those_of_syndicates_formats() -> None:
    owned = {f.split("/")[0] for w in default_registry().all() for f in w.owned_folders()}
    assert owned == set(RESERVED_FOLDERS)


def test_the_folders_of_syndicate_s_formats_are_known_without_loading_them() -> None:
    """`Registry.owned_folders` names each built-in format's and partner profile's folders as
    its writer does, before any is loaded: a run of a few formats into an out/ holding every
    format's folders loaded every format to learn whose they are (the books', the partners')."""
    registry = Registry(BUILTIN)
    known = {name: registry.owned_folders(name) for name in registry.names}
    assert known == {name: registry.get(name).owned_folders() for name in registry.names}


class _Claiming(Writer[Options]):
    """A plugin that claims `folders` (set on the instance, as the tests need)."""

    name = "claiming"
    description = "a plugin claiming folders"
    media_type = "text/plain"
    extension = ".txt"
    scope = "collection"
    Options = Options


@pytest.mark.parametrize(
    ("folders", "message"),
    [
        (("atom",), "owns the folder 'atom', which overlaps 'atom' of syndicate's formats"),
        (("partners/mine",), "overlaps 'partners' of syndicate's formats"),
        (("..",), "a folder of out/ is a relative name"),
        (("../site",), "a folder of out/ is a relative name"),
        (("/tmp/x",), "a folder of out/ is a relative name"),
        ((".syndicate-staging-x",), "a folder of out/ is a relative name"),
        (("headlines",), "overlaps 'headlines' of format 'headlines'"),
        # the same folders on the file systems of macOS and Windows
        (("Atom",), "owns the folder 'Atom', which overlaps 'atom' of syndicate's formats"),
        (("HTML/mine",), "overlaps 'html' of syndicate's formats"),
        (("Partners",), "overlaps 'partners' of syndicate's formats"),
        (("HeadLines",), "overlaps 'headlines' of format 'headlines'"),
    ],
)
def test_a_plugin_may_own_no_folder_of_another_format(
    monkeypatch: pytest.MonkeyPatch, folders: tuple[str, ...], message: str
) -> None:
    """A plugin claiming `atom` took atom/ over: an export of it removed every feed, exit 0."""
    monkeypatch.syspath_prepend(str(PLUGIN))

    def claiming() -> Writer[Options]:
        writer = _Claiming()
        writer.folders = folders
        return writer

    registry = Registry({"headlines": "syndicate_headlines:HeadlinesWriter", "claiming": claiming})
    with pytest.raises(PluginError, match=re.escape(message)):
        registry.get("claiming")


def test_two_plugins_owning_one_folder_are_both_refused_whatever_the_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only plugins already loaded counted: of two plugins owning `shared`, the one loaded
    second was refused, and either alone was taken."""

    def owning(name: str) -> Callable[[], Writer[Options]]:
        def make() -> Writer[Options]:
            writer = _Claiming()
            writer.name, writer.folders = name, ("shared",)
            return writer

        return make

    for first, second in (("aaa", "bbb"), ("bbb", "aaa")):
        registry = Registry({"aaa": owning("aaa"), "bbb": owning("bbb")})
        for name in (first, second):
            with pytest.raises(PluginError, match="overlaps 'shared' of format"):
                registry.get(name)


def test_a_plugin_claiming_a_format_folder_leaves_out_as_it_was(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def claiming() -> Writer[Options]:
        writer = _Claiming()
        writer.folders = ("atom",)
        return writer

    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    common = ["-q", "--out", str(out), "--now", FIXED_NOW]
    assert main(["export", *common, "-f", "atom"]) == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    registry = Registry({**BUILTIN, "claiming": claiming})
    assert main(["export", *common, "-f", "claiming"], registry=registry) == 2
    assert "overlaps 'atom' of syndicate's formats" in capsys.readouterr().err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_a_plugin_under_a_taken_name_is_a_warning_not_silence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plugins = [
        EntryPoint("rss", "my.plugin:Rss", "syndicate.writers"),
        EntryPoint("all", "my.plugin:All", "syndicate.writers"),
        EntryPoint("export", "my.plugin:Export", "syndicate.writers"),
    ]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: plugins)
    registry_module.default_registry.cache_clear()
    try:
        assert main(["formats"]) == 0
    finally:
        registry_module.default_registry.cache_clear()
    err = capsys.readouterr().err
    assert (
        "warning: the plugin format 'rss' (my.plugin:Rss) is not used: 'rss' is one of"
        " syndicate's formats; register the plugin's entry point and `name` as another name"
        " [plugin.writer]" in err
    )
    assert "the plugin format 'all' (my.plugin:All) is not used: 'all' is `--format all`" in err
    # One named like a section of syndicate.yaml's own took it over (`export: keep_going`
    # became an unknown option of the plugin's).
    assert (
        "the plugin format 'export' (my.plugin:Export) is not used: 'export' is a section of"
        " syndicate.yaml that is not a format's" in err
    )


def test_the_names_a_plugin_may_not_take_hold_every_section_of_syndicate_s_own() -> None:
    import json

    from syndicate.build.engine import OTHER_SECTIONS

    top = json.loads((REPO / "schemas/site.schema.json").read_text(encoding="utf-8"))
    assert {*OTHER_SECTIONS, *top["properties"]} == registry_module.RESERVED


def test_writers_sharing_a_config_section_share_its_options_record() -> None:
    sections: dict[str, type[Options]] = {}
    for writer in default_registry().all():
        assert sections.setdefault(writer.section(), writer.Options) is writer.Options


def test_unknown_format_message_suggests_and_lists() -> None:
    registry = default_registry()
    with pytest.raises(UnknownFormat) as info:
        registry.get("atm")
    message = str(info.value)
    assert "unknown format 'atm'; did you mean 'atom'?" in message
    assert all(name in message for name in FORMATS) and message.endswith(", all)")
    assert "did you mean" not in registry.unknown_message("zzzz")


def test_plugins_come_from_entry_points_and_cannot_shadow_builtins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugins = [
        EntryPoint("headlines", "syndicate_headlines:HeadlinesWriter", "syndicate.writers"),
        EntryPoint("atom", "some.plugin:Evil", "syndicate.writers"),
    ]
    monkeypatch.syspath_prepend(str(PLUGIN))
    monkeypatch.setattr(registry_module, "entry_points", lambda group: plugins)
    registry_module.default_registry.cache_clear()
    try:
        registry = default_registry()
        assert "headlines" in registry.names
        assert registry.get("headlines").name == "headlines"
        assert type(registry.get("atom")).__module__ == BUILTIN["atom"].split(":")[0]
    finally:
        registry_module.default_registry.cache_clear()


def test_a_registry_is_just_a_table() -> None:
    registry = Registry({"model": BUILTIN["model"]})
    assert registry.names == ("model",)
    assert [w.name for w in registry.all()] == ["model"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("syndicate.formats.model.writer:ModelWriter", "names itself 'model'"),
        ("no.such.module:Writer", "cannot be loaded: ModuleNotFoundError"),
        ("syndicate.model:Story", "cannot be loaded"),
        ("syndicate.formats.contract:OutputFile", "cannot be loaded"),
    ],
)
def test_an_unusable_plugin_is_refused_with_a_reason(target: str, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        Registry({"partner": target}).get("partner")


def test_a_plugin_whose_name_differs_is_one_diagnostic_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plugins = [EntryPoint("partner", "syndicate.formats.model.writer:ModelWriter", "x")]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: plugins)
    registry_module.default_registry.cache_clear()
    monkeypatch.chdir(REPO)
    try:
        status = main(["export", "-q", "-f", "partner", "--out", str(tmp_path / "out")])
    finally:
        registry_module.default_registry.cache_clear()
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: format 'partner'")
    assert "names itself 'model'" in lines[0] and lines[0].endswith("[plugin.writer]")
    assert not (tmp_path / "out").exists()


def test_a_plugin_installed_through_its_entry_point_exports(tmp_path: Path) -> None:
    """The example plugin (docs/architecture.md, "Adding a format") installed as a package:
    syndicate finds it by its entry point, lists it, checks its options and publishes its
    files."""
    target = tmp_path / "site-packages"
    source = shutil.copytree(PLUGIN, tmp_path / "plugin")  # building writes beside the sources
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    subprocess.run(
        [*pip, str(source)],
        check=True,
        capture_output=True,
    )
    assert list(target.glob("syndicate_headlines-*.dist-info/entry_points.txt"))
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    (site / "syndicate.yaml").write_text(
        (REPO / "syndicate.yaml").read_text(encoding="utf-8") + "headlines:\n  limit: 5\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(target)}

    def syndicate(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "syndicate", *args]
        return subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)

    listed = syndicate("formats")
    assert listed.returncode == 0 and "headlines" in listed.stdout
    assert "headlines.limit = 20: headlines per list" in listed.stdout
    done = syndicate("export", "-q", "-f", "headlines", "--now", FIXED_NOW)
    assert done.returncode == 0, done.stderr
    english = (site / "out" / "headlines" / "en.txt").read_text(encoding="utf-8")
    assert english.startswith("2021-02-18  NATO will surge in military deployment in Iraq  ")
    assert english.rstrip().endswith("html/2021-02-18-nato-iraq-deployment.en.html")
    (site / "syndicate.yaml").write_text(
        (REPO / "syndicate.yaml").read_text(encoding="utf-8") + "headlines:\n  limit: 0\n",
        encoding="utf-8",
    )
    refused = syndicate("export", "-q", "-f", "headlines")
    assert refused.returncode == 2
    assert "syndicate.yaml:12: error: headlines: limit: 0 is not valid" in refused.stderr


def test_a_plugin_upgraded_or_edited_makes_its_files_again(tmp_path: Path) -> None:
    """The build's keys held syndicate's own code, not a plugin's: after `pip install -U` of
    a plugin (or an edit of it), an export found every unit as it was and kept the old
    version's files, and a run with nothing else changed said so in no time."""
    target = tmp_path / "site-packages"
    source = shutil.copytree(PLUGIN, tmp_path / "plugin")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    subprocess.run([*pip, str(source)], check=True, capture_output=True)
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    env = {**os.environ, "PYTHONPATH": str(target)}
    export = [sys.executable, "-m", "syndicate", "export", "-q", "--now", FIXED_NOW, "-j", "1"]
    export += ["-f", "headlines", "-f", "html"]

    def headlines() -> str:
        done = subprocess.run(export, cwd=site, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return (site / "out" / "headlines" / "en.txt").read_text(encoding="utf-8")

    assert "  NATO will surge" in headlines()
    assert "  NATO will surge" in headlines()  # (a run with nothing changed)
    code = target / "syndicate_headlines" / "__init__.py"
    code.write_text(code.read_text(encoding="utf-8").replace("}  {", "} | {"), "utf-8")
    assert " | NATO will surge" in headlines()


class _NoDefault(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: int


class _BadDefault(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: int = "many"  # type: ignore[assignment]


class _Plugin(_Claiming):
    """A plugin as its author declares it (the claiming plugin's declarations)."""

    name = "plug"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Options": _NoDefault}, "has an option without a default"),
        ({"Options": _BadDefault}, "has a default its own options refuse"),
        ({"extension": None}, "has no `extension`: give the writer class one"),
        # listed as it was by `syndicate formats` (and without one, a traceback)
        ({"scope": "bogus"}, "has the `scope` 'bogus': give what one of its files holds, one"),
        ({"scope": None}, "has the `scope` None"),
    ],
)
def test_a_plugin_s_declarations_are_checked_when_it_loads(
    change: dict[str, object], message: str
) -> None:
    """An option without a default made `export` raise TypeError and `formats` print a
    traceback; a writer without `extension` broke the listing and `deliver` midway; a default
    of the wrong type reached the writer, which the contract says receives valid options."""
    odd = type("_Odd", (_Plugin,), change)
    with pytest.raises(PluginError, match=re.escape(message)):
        Registry({**BUILTIN, "plug": odd}).get("plug")
    assert Registry({**BUILTIN, "plug": _Plugin}).get("plug").name == "plug"


class _FeedsOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    depth: int = 1


class _InFeeds(_Plugin):
    name = "infeeds"
    config_section = "feeds"
    Options = _FeedsOptions


@pytest.mark.parametrize("order", [["infeeds", "atom"], ["atom", "infeeds"]])
def test_a_plugin_in_a_built_in_section_is_the_one_blamed(order: list[str], tmp_path: Path) -> None:
    """A plugin declaring options of its own in `feeds` (syndicate's Atom, RSS and JSON Feed
    share it): asked first, the error blamed the atom format."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.options import resolve_options
    from syndicate.readers.config import load_config

    registry = Registry({**BUILTIN, "infeeds": _InFeeds})
    diags = Diagnostics()
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None
    writers = [registry.get(name) for name in order]
    assert resolve_options(writers, config, diags, every_section=False) is None
    (said,) = [d.message for d in diags if d.code == "plugin.section"]
    assert said.startswith("the infeeds format declares other options than the atom format")


@pytest.mark.parametrize("section", ["export", "deliver", "serve", "publisher", "profiles.mine"])
def test_a_plugin_reading_a_section_of_syndicate_s_own_is_refused(section: str) -> None:
    """A plugin with `config_section = "export"` took the section over: `export: keep_going:
    true` became "unknown option 'keep_going'" of the plugin's, naming no plugin."""
    odd = type("_Odd", (_Plugin,), {"config_section": section})
    message = f"format 'plug' ({odd!r}) reads its options from the section"
    with pytest.raises(PluginError, match=re.escape(message)) as info:
        Registry({**BUILTIN, "plug": odd}).get("plug")
    assert "give the writer a `config_section` of its own" in str(info.value)


def test_a_plugin_reading_a_part_of_a_format_s_section_is_refused() -> None:
    odd = type("_Odd", (_Plugin,), {"config_section": "html.extra"})
    with pytest.raises(PluginError, match=re.escape("a part of the section 'html'")):
        Registry({**BUILTIN, "plug": odd}).get("plug")


class _InHtml(_Plugin):
    name = "inhtml"
    config_section = "html"
    Options = _FeedsOptions


def test_a_plugin_in_a_format_s_section_is_blamed_in_a_run_without_that_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exported alone, a plugin declaring options of its own in `html` read the site's
    `html:` options as its own: each was "unknown", naming no plugin."""
    monkeypatch.chdir(REPO)
    registry = Registry({**BUILTIN, "inhtml": _InHtml})
    out = tmp_path / "out"
    assert main(["export", "-q", "-f", "inhtml", "--out", str(out)], registry=registry) == 2
    err = capsys.readouterr().err
    assert "the inhtml format declares other options than the html format" in err
    assert "[plugin.section]" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "media_type", ["text/plain\r\nX-Evil: 1", "text plain", "text/", "text/plain; charset"]
)
def test_a_plugin_s_media_type_must_be_one_an_http_header_holds(media_type: str) -> None:
    """`text/plain\\r\\nX-Evil: 1` passed: `serve` then sent no response at all (h11's
    "Illegal header value")."""
    odd = type("_Odd", (_Plugin,), {"media_type": media_type})
    with pytest.raises(PluginError, match=re.escape(f"has the `media_type` {media_type!r}")):
        Registry({**BUILTIN, "plug": odd}).get("plug")
    for media in ("text/plain; charset=utf-8", "text/plain;", "text/csv; charset=utf-8;"):
        fine = type("_Fine", (_Plugin,), {"media_type": media})  # RFC 9110: empty parameters
        assert Registry({**BUILTIN, "plug": fine}).get("plug").name == "plug"


def test_a_text_type_gets_one_charset_and_an_empty_answer_the_extension_s(
    tmp_path: Path,
) -> None:
    """`text/csv; charset=utf-8` went out as `...; charset=utf-8; charset=utf-8`; and a
    `media_type_of` answering "" (nothing to say) sent the file as octet-stream, where it had
    the type of its extension."""
    from syndicate.build.inventory import Inventory

    class _Csv(_Plugin):
        media_type = "text/csv; charset=utf-8"

        def media_type_of(self, path: str) -> str | None:
            return "" if path.endswith(".json") else self.media_type

    writer = Registry({**BUILTIN, "plug": _Csv}).get("plug")
    inventory = Inventory(tmp_path, ["en"], [writer], stories=[])
    folder = writer.owned_folders()[0]
    assert inventory.media_type(f"{folder}/a.csv") == "text/csv; charset=utf-8"
    assert inventory.media_type(f"{folder}/a.json") == "application/json"


def test_two_packages_registering_one_name_are_a_warning_naming_both(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One of them was used, which depended on the order of sys.path, without a word: nobody
    could tell whose writer made out/headlines/."""
    same = "syndicate_headlines:HeadlinesWriter"
    plugins = [
        EntryPoint("dup", "one.plugin:Writer", "syndicate.writers"),
        EntryPoint("dup", "two.plugin:Writer", "syndicate.writers"),
        EntryPoint("headlines", same, "syndicate.writers"),
        EntryPoint("headlines", same, "syndicate.writers"),  # one package found twice
    ]
    monkeypatch.syspath_prepend(str(PLUGIN))
    monkeypatch.setattr(registry_module, "entry_points", lambda group: plugins)
    registry_module.default_registry.cache_clear()
    try:
        registry = default_registry()
        assert main(["formats"]) == 0
    finally:
        registry_module.default_registry.cache_clear()
    assert "dup" not in registry.names and "headlines" in registry.names
    err = capsys.readouterr().err
    assert (
        "warning: the plugin format 'dup' is not used: 2 installed packages register it"
        " (one.plugin:Writer, two.plugin:Writer); uninstall all but one, or register each under"
        " a name of its own [plugin.writer]" in err
    )
    assert "'headlines'" not in err


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ("feeds:\n  limit: 100000000", "feeds: limit: 100000000 is not valid: expected a whole"
         " number from 1 to 10000"),
        ("feeds:\n  archive_size: 100000000", "feeds: archive_size: 100000000 is not valid:"
         " expected a whole number from 0 to 10000"),
        ("html:\n  page_size: 100000000", "html: page_size: 100000000 is not valid: expected a"
         " whole number from 1 to 10000"),
        ("epub:\n  edition_size: 100000000", "epub: edition_size: 100000000 is not valid:"
         " expected a whole number from 1 to 1000"),
        ("feeds:\n  limit: 0", "feeds: limit: 0 is not valid: expected a whole number from 1 to"
         " 10000"),
        ("deliver:\n  retry:\n    attempts: 100000000", "deliver: retry.attempts: 100000000 is"
         " not valid: expected a whole number from 1 to 20"),
        ("deliver:\n  retry:\n    wait_initial: 100000000", "deliver: retry.wait_initial:"
         " 100000000 is not valid: expected a number more than 0 and at most 300"),
        ("deliver:\n  retry:\n    timeout: 0", "deliver: retry.timeout: 0 is not valid: expected"
         " a number more than 0 and at most 3600"),
        ("profiles:\n  msn:\n    limit: 100000000", "profiles.msn.limit: 100000000 is not"
         " valid: expected a whole number from 1 to 10000"),
        ("profiles:\n  msn:\n    image_width: 100000000", "profiles.msn.image_width: 100000000"
         " is not valid: expected a whole number from 1 to 65535"),
        ("profiles:\n  msn:\n    min_items: 0", "profiles.msn.min_items: 0 is not valid:"
         " expected a whole number from 1 to 10000"),
        ("profiles:\n  msn:\n    title_min: 0", "profiles.msn.title_min: 0 is not valid:"
         " expected a whole number of at least 1"),
    ],
)  # fmt: skip
def test_a_number_past_its_option_s_range_is_refused_at_its_line_with_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, said: str
) -> None:
    """`feeds: limit: 100000000` (a typo for 100) had no upper bound: every story in one feed
    file, as `deliver: retry: attempts:` or `wait_initial:` held a failing target's run for
    days. Each count, size and wait has a range, told whole (both ends) at the value's line."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    text = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (site / "syndicate.yaml").write_text(f"{text}{option}\n", encoding="utf-8")
    line = text.count("\n") + option.count("\n") + 1
    assert main(["validate", "--config", str(site / "syndicate.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"syndicate.yaml:{line}: error: {said} [config." in err, err
