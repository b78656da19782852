"""The registry of output formats: the one list that the CLI, help and errors read."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from syndicate.writers import registry as registry_module
from syndicate.writers.base import Writer
from syndicate.writers.registry import BUILTIN, Registry, UnknownFormat, default_registry

FORMATS = {"atom", "epub", "html", "jsonld", "model", "newsml", "rss"}


def test_every_format_is_registered_once_and_sorted() -> None:
    names = default_registry().names
    assert set(names) == FORMATS
    assert list(names) == sorted(names)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_writer_declares_its_contract(name: str) -> None:
    writer = default_registry().get(name)
    assert isinstance(writer, Writer)
    assert writer.name == name
    assert writer.scope in ("variant", "story", "collection")
    assert writer.extension.startswith(".") and "/" in writer.media_type
    assert writer.description and writer.owned_folders()
    option_names = [opt.name for opt in writer.options]
    assert len(option_names) == len(set(option_names))
    assert all(opt.help for opt in writer.options)


def test_no_two_writers_own_a_folder() -> None:
    owners: dict[str, str] = {}
    for writer in default_registry().all():
        for folder in writer.owned_folders():
            assert folder not in owners, f"{folder} owned by {owners[folder]} and {writer.name}"
            owners[folder] = writer.name


def test_writers_sharing_a_config_section_agree_on_its_options() -> None:
    sections: dict[str, dict[str, object]] = {}
    for writer in default_registry().all():
        declared = {opt.name: opt.default for opt in writer.options}
        seen = sections.setdefault(writer.section(), declared)
        assert seen == declared, writer.section()


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
        EntryPoint("partner", "syndicate.writers.model:ModelWriter", "syndicate.writers"),
        EntryPoint("atom", "some.plugin:Evil", "syndicate.writers"),
    ]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: plugins)
    registry_module.default_registry.cache_clear()
    try:
        registry = default_registry()
        assert "partner" in registry.names
        assert registry.get("partner").name == "model"
        assert type(registry.get("atom")).__module__ == BUILTIN["atom"].split(":")[0]
    finally:
        registry_module.default_registry.cache_clear()


def test_a_registry_is_just_a_table() -> None:
    registry = Registry({"model": BUILTIN["model"]})
    assert registry.names == ("model",)
    assert [w.name for w in registry.all()] == ["model"]
