"""`syndicate formats`: every registered format with its media type, scope and options."""

from __future__ import annotations

import argparse

from syndicate.cli import EXIT_INPUT, EXIT_OK
from syndicate.diagnostics import Diagnostics
from syndicate.formats.options import describe
from syndicate.formats.registry import PluginError, Registry


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    registry: Registry = args.registry
    for name in registry.names:
        try:
            writer = registry.get(name)
        except PluginError as exc:
            diags.error("plugin.writer", str(exc))
            continue
        print(
            f"{writer.name:<8} {writer.media_type:<36} {writer.extension:<7} "
            f"{writer.scope:<10} {writer.description}"
        )
        for opt in describe(writer.Options):
            print(f"{'':<8} {writer.section()}.{opt.name} = {opt.default!r}: {opt.help}")
    return EXIT_INPUT if diags.errors else EXIT_OK
