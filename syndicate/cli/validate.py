"""`syndicate validate`: every source file, every format's options and the `deliver` and `serve`
sections; with `--outputs`, the files in out/ through each format's own validator."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime

from syndicate.build.engine import cache_folder, settle_output
from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, say
from syndicate.deliver.options import SECTION as DELIVER
from syndicate.deliver.options import load_delivery
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.options import resolve_options
from syndicate.formats.registry import PluginError
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config
from syndicate.serve.options import SECTION as SERVE
from syndicate.serve.options import load_serving

log = logging.getLogger(__name__)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    try:
        writers = args.registry.all()
    except PluginError as exc:
        diags.error("plugin.writer", str(exc))
        return EXIT_INPUT
    options = resolve_options(
        writers, config, diags, every_section=True, other_sections=(DELIVER, SERVE)
    )
    delivery = load_delivery(config, args.registry, diags)
    serving = load_serving(config, diags)
    stories = read_articles(args.articles, config, diags)
    problems = options is None or delivery is None or serving is None
    if problems or options is None or diags.has_errors(strict=args.strict):
        return EXIT_INPUT
    variants = sum(len(s.variants) for s in stories)
    say(args, f"{args.articles}: {len(stories)} stories, {variants} language variants: OK")
    if args.outputs is None:
        return EXIT_OK
    if not args.outputs.is_dir():
        diags.error("validate.outputs", f"no output folder {args.outputs}; run export first")
        return EXIT_FAILED
    settle_output(args.outputs, cache_folder(args.config, args.outputs), diags)
    now = datetime.now(UTC)
    checked = []
    for writer in writers:
        if any((args.outputs / f).is_dir() for f in writer.owned_folders()):
            ctx = Context(
                config, now, config.languages, options[writer.section()], diags, writer.name
            )
            try:
                writer.validate_outputs(args.outputs, ctx)
            except Exception as exc:  # a bug in a validator must not hide the other checks
                log.debug("validator %s failed", writer.name, exc_info=True)
                diags.error(
                    "validate.failed",
                    f"the {writer.name} checks failed: {exc!r}",
                    str(args.outputs),
                )
            checked.append(writer.name)
    if diags.has_errors(strict=args.strict):
        return EXIT_FAILED
    say(args, f"{args.outputs}: {', '.join(checked) or 'no formats found'}: OK")
    return EXIT_OK
