"""Trying again, with exponential back-off and jitter (tenacity), what failed for a reason that
may pass: a timeout, a lost connection, a server error. Refusals are not tried again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import tenacity

from syndicate.deliver.options import RetryOptions
from syndicate.deliver.remotes import transient

T = TypeVar("T")


class GaveUp(Exception):
    """The last failure of an action, and how many times it was tried."""

    def __init__(self, error: BaseException, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


def retrying(policy: RetryOptions, action: Callable[[], T], reset: Callable[[], None]) -> T:
    """`action()`, tried again while it fails for a transient reason, up to `policy.attempts`
    times; `reset()` runs before each new try (to open a new connection). Raises GaveUp."""
    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=tenacity.wait_exponential(multiplier=policy.wait_initial, max=policy.wait_max)
        + tenacity.wait_random(0, policy.wait_initial),
        retry=tenacity.retry_if_exception(transient),
        before_sleep=lambda _state: reset(),
        reraise=True,
    )
    try:
        return retryer(action)
    except Exception as exc:  # whatever a library raised: the caller reports it
        raise GaveUp(exc, retryer.statistics.get("attempt_number", 1)) from exc
