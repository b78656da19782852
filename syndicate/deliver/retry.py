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


Notice = Callable[[str], None]
"""Told a line at once (the CLI prints it on stderr, not under --quiet): a failure about to
be tried again, so a wait of seconds or minutes never looks like a hang."""


def retrying(
    policy: RetryOptions,
    action: Callable[[], T],
    reset: Callable[[], None],
    notice: Callable[[BaseException, str], None] | None = None,
) -> T:
    """`action()`, tried again while it fails for a transient reason, up to `policy.attempts`
    times; `reset()` runs before each new try (to open a new connection), and `notice` is
    given the failure and when the next try comes (`again`). Raises GaveUp."""

    def before_sleep(state: tenacity.RetryCallState) -> None:
        reset()
        failed = state.outcome.exception() if state.outcome is not None else None
        if notice is not None and failed is not None:
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            notice(failed, again(wait, state.attempt_number + 1, policy.attempts))

    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=tenacity.wait_exponential(multiplier=policy.wait_initial, max=policy.wait_max)
        + tenacity.wait_random(0, policy.wait_initial),
        retry=tenacity.retry_if_exception(transient),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retryer(action)
    except Exception as exc:  # whatever a library raised: the caller reports it
        raise GaveUp(exc, retryer.statistics.get("attempt_number", 1)) from exc


def again(wait: float, attempt: int, attempts: int) -> str:
    """ "trying again in 2.3 s (attempt 2 of 5)"."""
    return f"trying again in {wait:.1f} s (attempt {attempt} of {attempts})"
