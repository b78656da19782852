"""Section `serve` of syndicate.yaml: the folders of out/ that `syndicate serve` shows only to
partners holding a bearer token (named, never written there: `env:VARIABLE`, `file:PATH`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import msgspec

from syndicate.deliver.secrets import Secret
from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import AnyWriter, Options
from syndicate.formats.options import convert_section
from syndicate.model import SiteConfig

SECTION = "serve"


class Protected(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A folder of out/ (`newsml/`) and a token that opens it."""

    path: Annotated[
        str,
        msgspec.Meta(
            pattern=r"^(?:[A-Za-z0-9_-][^\s/]*/)+\Z",
            extra={"expected": "a folder of out/ ending in /, with no . or .. parts, e.g. newsml/"},
        ),
    ]
    """A folder of out/, ending in / (`newsml/`)."""
    token: Secret


class ServeOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Section `serve` of syndicate.yaml."""

    protect: tuple[Protected, ...] = ()
    """A request under a protected folder needs `Authorization: Bearer <token>` with one of the
    tokens given for that folder (several entries may name one folder: one per partner)."""


def load_serving(config: SiteConfig, diags: Diagnostics) -> ServeOptions | None:
    """The checked `serve` section (empty when absent), or None after reporting problems."""
    return convert_section(SECTION, ServeOptions, config, diags)


def check_protected(
    options: ServeOptions, writers: Sequence[AnyWriter], config: SiteConfig, diags: Diagnostics
) -> None:
    """A protected folder no format writes (`nwesml/`) protects nothing, while the folder
    meant stays open to anyone: said, with the nearest folder that is written."""
    written = sorted({f"{folder}/" for w in writers for folder in w.owned_folders()})
    for index, entry in enumerate(options.protect):
        if any(
            entry.path.startswith(folder) or folder.startswith(entry.path) for folder in written
        ):
            continue
        diags.warning(
            "serve.protect",
            f"{SECTION}: protect: {entry.path} is no folder a format writes, so it protects"
            f" nothing{did_you_mean(entry.path, written)}",
            config.where(SECTION, "protect", index, "path"),
        )
