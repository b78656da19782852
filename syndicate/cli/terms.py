"""`syndicate terms`: a language's fixed phrases as a terms file, to translate or to change
(`terms/<lang>.yaml` beside syndicate.yaml): the site's own over syndicate's, and English
where neither has the phrase, marked to translate."""

from __future__ import annotations

import argparse

import yaml

from syndicate.cli import EXIT_INPUT, EXIT_OK, emit
from syndicate.cli.formats import site_config
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.locales import has_month_names, is_valid_tag
from syndicate.i18n.terms import FALLBACK, lookup, reference, translated, use_site_terms
from syndicate.readers.config import load_config
from syndicate.readers.languages import deprecated_hint, refusal, tag_hint


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    tag = args.lang
    if not is_valid_tag(tag):
        why = refusal(tag)
        said = f"{tag!r} {why}" if why else "not a language tag CLDR knows"
        hint = "" if why else tag_hint(tag) or " (such as sw)"
        diags.error("terms.language", f"--lang {tag}: {said}{hint}")
        return EXIT_INPUT
    site = site_config(args)
    # The configuration's errors stop the command; its warnings are for validate and export
    # (one is "no terms for sw", which this command is run to mend).
    loading = Diagnostics()
    config = load_config(site, str(site), loading) if site is not None else None
    diags.extend(loading.errors)
    if site is not None and config is None:
        return EXIT_INPUT
    # An old code the site publishes under gets its file; a new one is written as it should be.
    if (old := deprecated_hint(tag)) and (config is None or tag not in config.languages):
        diags.error("terms.language", f"--lang {tag}: {old}")
        return EXIT_INPUT
    own_sections = sorted(
        key for table in (config.terms if config else {}).values() for key in table
    )
    use_site_terms(config.terms if config else {})
    keys = list(dict.fromkeys([*reference(), *own_sections]))
    phrases = {key: lookup(key, tag) or "" for key in keys}
    missing = [key for key in keys if not translated(key, tag)]
    if args.log_format == "json":
        emit({"lang": tag, "terms": phrases, "untranslated": missing})
        return EXIT_OK
    print(f"# The fixed phrases of {tag!r}: save as terms/{tag}.yaml beside syndicate.yaml.")
    print("# Keep each {placeholder}; a line marked 'translate' is in English.")
    if is_valid_tag(tag) and not has_month_names(tag):
        print(f"# CLDR names no months in {tag!r}: its dates are in numbers ('2026-03-20').")
    for key, text in phrases.items():
        line = yaml.safe_dump({key: text}, allow_unicode=True, width=10**6).rstrip("\n")
        print(f"{line}  # translate" if key in missing and tag != FALLBACK else line)
    return EXIT_OK
