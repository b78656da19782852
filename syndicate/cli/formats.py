"""`syndicate formats`: every registered format with its media type, scope and options."""

from __future__ import annotations

import argparse

from syndicate.cli import EXIT_INPUT, EXIT_OK, emit
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
        options = describe(writer.Options)
        if args.log_format == "json":
            emit(
                {
                    "name": writer.name,
                    "media_type": writer.media_type,
                    "extension": writer.extension,
                    "scope": writer.scope,
                    "description": writer.description,
                    "options": {
                        f"{writer.section()}.{opt.name}": {"default": opt.default, "help": opt.help}
                        for opt in options
                    },
                }
            )
            continue
        print(
            f"{writer.name:<8} {writer.media_type:<36} {writer.extension:<7} "
            f"{writer.scope:<10} {writer.description}"
        )
        for opt in options:
            print(f"{'':<8} {writer.section()}.{opt.name} = {opt.default!r}: {opt.help}")
    return EXIT_INPUT if diags.errors else EXIT_OK
