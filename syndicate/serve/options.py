"""Section `serve` of syndicate.yaml: the folders of out/ that `syndicate serve` shows only to
partners holding a bearer token (named, never written there: `env:VARIABLE`, `file:PATH`)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from syndicate.deliver.secrets import Secret
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Options
from syndicate.formats.options import convert_section
from syndicate.model import SiteConfig

SECTION = "serve"


class Protected(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A folder of out/ (`newsml/`) and a token that opens it."""

    path: Annotated[
        str,
        msgspec.Meta(
            pattern=r"^[A-Za-z0-9_-][^\s]*/$",
            extra={"expected": "a folder of out/ ending in /, e.g. newsml/"},
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
