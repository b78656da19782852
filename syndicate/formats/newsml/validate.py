"""Checking NewsML-G2 outputs: our profile schema (offline, always) and IPTC's XSD (when given)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.checking import output_files, parse_xml
from syndicate.formats.newsml.vocabulary import PROFILE_XSD
from syndicate.model import SourceRef
from syndicate.readers.schemas import schema_path
from syndicate.xmlbase import safe_parser


@cache
def load_xsd(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def profile_schema() -> etree.XMLSchema:
    return load_xsd(schema_path(PROFILE_XSD))


def validate_folder(
    folder: Path,
    diags: Diagnostics,
    official: Path | None = None,
    named: SourceRef | str | None = None,
) -> None:
    """Every `*.xml` in `folder` against our profile, and against `official` if given (a
    schema that cannot be loaded is said where it was `named`: syndicate.yaml's line, or the
    environment variable)."""
    schemas = [("newsml.profile", profile_schema())]
    if official is not None:
        try:
            schemas.append(("newsml.xsd", load_xsd(official)))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            what = "is not there" if not official.is_file() else f"is no XML Schema ({exc})"
            diags.error(
                "newsml.xsd-missing",
                f"the NewsML-G2 XSD {official} {what}: name IPTC's"
                " NewsML-G2_2.35-spec-All-Power.xsd (with xml.xsd beside it), or leave the"
                " setting out",
                named if named is not None else str(official),
            )
    for path in output_files(folder.parent, folder.name, (".xml",), diags, deep=False):
        validate_file(path, schemas, diags)


def validate_file(
    path: Path, schemas: list[tuple[str, etree.XMLSchema]], diags: Diagnostics
) -> None:
    doc = parse_xml(path, diags)
    if doc is None:
        return
    for code, schema in schemas:
        if schema.validate(doc):
            continue
        for error in schema.error_log:
            diags.error(code, error.message, f"{path}:{error.line}")
