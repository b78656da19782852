"""What an upgrade of syndicate must not move: the content digest of a story nobody edited.
The build state's history keeps the digest of what each released story said; a digest that
moves with the code (a field added to the model and encoded as `null`) makes the first export
after an upgrade warn `story.version` for every such story and ask partners for a new version
of it (docs/upgrading.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import REPO

from syndicate.diagnostics import Diagnostics
from syndicate.model import Rights, Story, codec
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config

RECORDED = dict(
    line.split()
    for line in """\
2021-02-18-nato-iraq-deployment bf9fb2e89211a6f3644018c9933d81579c81b90b8d3e5a32065b7b6522408c7f
2026-01-20-port-reopens 3afd8cac2d4033a0efdfc4522b2bffe627f31041c38472aa63a7c4b2a880a4e9
2026-01-21-ferry-timetable 334750de686953465d54182558c30da59d500e40fb1694b13be1a89cf2e12fa0
2026-01-22-budget-leak c6973e61913114e5b2c534ed31036d55aea627bc108c53909ee0561909ab7ae5
2026-01-23-storm-warning d33803f3150e62b8ebd4e0629f77182a5dcb241439331861152bd001929009ad
2026-01-24-mayor-interview b822b1dd395db28317cead29981cec28553dcbdbdce4679b5df00726ef110c80
2026-01-25-false-report 381b3e5bdfac7c1a25972ea897d9bf6caabac258fc91ac19f9c66e4088a83db5
2026-01-26-draft-festival d417968fc8d557e30edcded479b1ada39f54749138e3ad6ab545c44d6e7990df
""".splitlines()
)
"""The digests syndicate recorded for the sample and the lifecycle fixtures (the same since
at least stop 55): change them only with the model's meaning, never for a field added. The
sample's changed once, on purpose, when a summary's no-break spaces were kept as written
(its French "4 000" had been read "4 000"; docs/upgrading.md)."""


def stories(site: Path, monkeypatch: pytest.MonkeyPatch) -> list[Story]:
    monkeypatch.chdir(site)  # the configuration's paths are relative to the site
    diags = Diagnostics()
    config = load_config(Path("syndicate.yaml"), "syndicate.yaml", diags)
    assert config is not None, list(diags)
    return read_articles(Path("articles"), config, diags)


def test_a_story_nobody_edited_keeps_its_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {
        story.slug: codec.content_digest(story)
        for site in (REPO, REPO / "tests" / "fixtures" / "lifecycle")
        for story in stories(site, monkeypatch)
    }
    assert found == RECORDED


def test_a_field_added_later_counts_once_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """An image's own rights (added to the model later) are left out while unset, and are
    part of what the story says once given: a change of them is a change."""
    (story,) = stories(REPO, monkeypatch)
    rights = Rights("Agency", "(c) Agency")
    image = dataclasses.replace(story.images[0], rights=rights)
    given = dataclasses.replace(story, images=(image, *story.images[1:]))
    assert codec.content_digest(given) != codec.content_digest(story)
