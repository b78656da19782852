"""The `export:` section of syndicate.yaml: how a build behaves by default (the command line
overrides it)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from syndicate.formats.contract import Options

SECTION = "export"


class ExportOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    keep_going: Annotated[
        bool,
        msgspec.Meta(
            description="publish the healthy stories when some have errors (as --keep-going):"
            " those keep their last published version, and the export exits with status 3"
        ),
    ] = False
