"""The schemas syndicate authors (JSON Schemas of its inputs and outputs, the NewsML-G2 profile
and catalog). This folder is shipped inside the package as `syndicate.schemas`; code reads it
with `syndicate.readers.schemas.schema_path`, never by a path into the source tree."""
