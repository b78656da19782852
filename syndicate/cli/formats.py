"""`syndicate formats`: every registered format with its media type, scope and options, the
site's own partner profiles included when run in (or given) a site."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from syndicate.cli import EXIT_INPUT, EXIT_OK, emit
from syndicate.diagnostics import Diagnostics
from syndicate.formats.options import describe
from syndicate.formats.registry import PluginError, Registry
from syndicate.model.site import CONFIG_NAME
from syndicate.readers.config import find_site, load_config


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    registry: Registry = args.registry
    registry.report_refused(diags)
    config_path = site_config(args)
    if config_path is not None:  # the formats are listed without a site too
        config = load_config(config_path, str(config_path), diags)
        if config is not None:
            registry = registry.for_site(config, diags)
    defaults = registry.defaults
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
                    "in_all": name in defaults,
                    "options": {
                        f"{writer.section()}.{opt.name}": {"default": opt.default, "help": opt.help}
                        for opt in options
                    },
                }
            )
            continue
        off = "" if name in defaults else " (a partner profile: not in `all` until configured)"
        print(
            f"{writer.name:<11} {writer.media_type:<36} {writer.extension:<7} "
            f"{writer.scope:<10} {writer.description}{off}"
        )
        for opt in options:
            print(f"{'':<11} {writer.section()}.{opt.name} = {as_yaml(opt.default)}: {opt.help}")
    return EXIT_INPUT if diags.errors else EXIT_OK


def as_yaml(value: object) -> str:
    """A default as syndicate.yaml would write it: `null`, `true`, `[]`, `"text"` (JSON's
    spelling of a value is YAML's too), not Python's `None`, `True`, `()`."""
    plain = list(value) if isinstance(value, tuple | frozenset) else value
    return json.dumps(plain, ensure_ascii=False, default=str)


def site_config(args: argparse.Namespace) -> Path | None:
    """The configuration of the site the command runs in (`formats` lists its profiles too,
    `terms` its phrases): `--config`, `--site`'s, or the site's found from here; None outside
    any site."""
    if args.config is not None:
        return Path(args.config)
    site = args.site if args.site is not None else find_site(args.cwd)
    if site is None or not (Path(site) / CONFIG_NAME).is_file():
        return None
    return Path(site) / CONFIG_NAME
