"""Secrets named in syndicate.yaml (`env:VARIABLE`, `file:PATH`), read only when a connection
needs them, and kept out of every message."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import msgspec

Secret = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:\S.*)$",
        description="where a secret is read: env:VARIABLE or file:PATH",
        extra={
            "expected": "env:VARIABLE or file:PATH; secrets are never written in syndicate.yaml"
        },
    ),
]
"""A secret as syndicate.yaml names it: the environment variable or the file holding it."""


class SecretError(Exception):
    """A named secret cannot be read; the message names where it was looked for, never a value."""


def reveal(reference: str, base: Path) -> str:
    """The secret `reference` names: an environment variable (`env:NAME`) or the contents of a
    file (`file:PATH`, relative to `base`, the folder of syndicate.yaml; one final line end is
    dropped)."""
    kind, _, name = reference.partition(":")
    if kind == "env":
        value = os.environ.get(name)
        if value is None:
            raise SecretError(f"the environment variable {name} is not set")
        return value
    path = Path(name).expanduser()
    path = path if path.is_absolute() else base / path
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise SecretError(f"cannot read the secret file {path}: {reason}") from None
    return text.removesuffix("\n").removesuffix("\r")


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `***` (a library's message may quote one)."""
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
