"""`syndicate formats`: every registered format with its media type, scope and options, the
site's own partner profiles included when its configuration is there."""

from __future__ import annotations

import argparse

from syndicate.cli import EXIT_INPUT, EXIT_OK
from syndicate.diagnostics import Diagnostics
from syndicate.formats.options import describe
from syndicate.formats.registry import PluginError, Registry
from syndicate.readers.config import load_config


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    registry: Registry = args.registry
    if args.config.is_file():  # the formats are listed without a site too
        config = load_config(args.config, str(args.config), diags)
        if config is not None:
            registry = registry.for_site(config, diags)
    defaults = registry.defaults
    for name in registry.names:
        try:
            writer = registry.get(name)
        except PluginError as exc:
            diags.error("plugin.writer", str(exc))
            continue
        off = "" if name in defaults else " (a partner profile: not in `all` until configured)"
        print(
            f"{writer.name:<11} {writer.media_type:<36} {writer.extension:<7} "
            f"{writer.scope:<10} {writer.description}{off}"
        )
        for opt in describe(writer.Options):
            print(f"{'':<11} {writer.section()}.{opt.name} = {opt.default!r}: {opt.help}")
    return EXIT_INPUT if diags.errors else EXIT_OK
