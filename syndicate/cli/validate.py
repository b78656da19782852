"""`syndicate validate`: every source file and every format's options; with `--outputs`, the
files in out/ through each format's own validator."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, say
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.options import resolve_options
from syndicate.formats.registry import PluginError
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    try:
        writers = args.registry.for_site(config, diags).all()
    except PluginError as exc:
        diags.error("plugin.writer", str(exc))
        return EXIT_INPUT
    options = resolve_options(writers, config, diags, every_section=True)
    stories = read_articles(args.articles, config, diags)
    if options is None or diags.has_errors(strict=args.strict):
        return EXIT_INPUT
    variants = sum(len(s.variants) for s in stories)
    say(args, f"{args.articles}: {len(stories)} stories, {variants} language variants: OK")
    if args.outputs is None:
        return EXIT_OK
    if not args.outputs.is_dir():
        diags.error("validate.outputs", f"no output folder {args.outputs}; run export first")
        return EXIT_FAILED
    now = datetime.now(UTC)
    checked = []
    for writer in writers:
        if any((args.outputs / f).is_dir() for f in writer.owned_folders()):
            ctx = Context(
                config, now, config.languages, options[writer.section()], diags, writer.name
            )
            writer.validate_outputs(args.outputs, ctx)
            checked.append(writer.name)
    if diags.has_errors(strict=args.strict):
        return EXIT_FAILED
    say(args, f"{args.outputs}: {', '.join(checked) or 'no formats found'}: OK")
    return EXIT_OK
