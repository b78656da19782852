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
    max_deleted_percent: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            le=100,
            description="the most of the stories the last export published that one export may"
            " take away (their folders gone), in percent; and of the files a delivery target"
            " holds that one deliver may delete for being gone from out/ other than by an"
            " export (whose removals, kills among them, always go). More, and the run is"
            " refused unless given --allow-deletions (an unmounted or half-synced articles"
            " folder, an emptied out/)",
        ),
    ] = 50
