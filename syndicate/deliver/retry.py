"""Trying again, with exponential back-off and jitter (tenacity), what failed for a reason that
may pass: a timeout, a lost connection, a server error, a 429; never sooner than a server's
`Retry-After` asks. Refusals are not tried again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import tenacity

from syndicate.deliver.options import RetryOptions
from syndicate.deliver.remotes import asked_wait, describe, transient

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
    on_retry: Callable[[BaseException, str], None] | None = None,
) -> T:
    """`action()`, tried again while it fails for a transient reason, up to `policy.attempts`
    times; `reset()` runs before each new try (to open a new connection), and `on_retry` is
    given the failure and when the next try comes (see `telling`). Raises GaveUp."""

    def before_sleep(state: tenacity.RetryCallState) -> None:
        reset()
        failed = state.outcome.exception() if state.outcome is not None else None
        if on_retry is not None and failed is not None:
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            attempt = state.attempt_number + 1
            on_retry(
                failed, f"trying again in {wait:.1f} s (attempt {attempt} of {policy.attempts})"
            )

    backoff = tenacity.wait_exponential(
        multiplier=policy.wait_initial, max=policy.wait_max
    ) + tenacity.wait_random(0, policy.wait_initial)

    def wait(state: tenacity.RetryCallState) -> float:
        """The back-off, or longer when the server asked (`Retry-After` of a 429 or 503)."""
        computed = backoff(state)
        failed = state.outcome.exception() if state.outcome is not None else None
        asked = asked_wait(failed) if failed is not None else None
        return computed if asked is None else max(computed, asked)

    def again(exc: BaseException) -> bool:
        """Transient, and not asked to wait longer than `retry.wait_max` (that is said as the
        failure: the next `deliver` comes later)."""
        if not isinstance(exc, Exception):  # Ctrl-C, SIGTERM: never tried again
            return False
        asked = asked_wait(exc)
        return transient(exc) and (asked is None or asked <= policy.wait_max)

    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=wait,
        retry=tenacity.retry_if_exception(again),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retryer(action)
    except Exception as exc:  # whatever a library raised: the caller reports it
        raise GaveUp(exc, retryer.statistics.get("attempt_number", 1)) from exc


def telling(
    notice: Notice | None, what: str, clean: Callable[[str], str] = str
) -> Callable[[BaseException, str], None] | None:
    """The `on_retry` that tells `notice` "WHAT failed: REASON; trying again in 2.3 s (attempt
    2 of 5)", the reason in a few words passed through `clean` (to redact secrets)."""
    if notice is None:
        return None

    def told(error: BaseException, when: str) -> None:
        notice(f"{what} failed: {clean(describe(error))}; {when}")

    return told
