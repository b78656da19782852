"""Entry point for `python -m syndicate` and the `syndicate` command."""

import signal
import sys


def run() -> None:
    """The command line, and its exit status. Ctrl-C or SIGTERM while Python is still
    importing syndicate (the first fraction of a second, before the command's own handling
    starts) ends it as any interrupt does, with status 130 and one line, never a traceback
    (SIGTERM was Python's default until then: the process ended at once, -15, unsaid).
    One that comes once the command is over, its last line printed, no longer changes its
    status (`_over`)."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        from syndicate.cli import main

        status = main()
    except KeyboardInterrupt:
        print("interrupted before anything was done", file=sys.stderr)
        status = 130
    finally:
        _over()
        signal.signal(signal.SIGTERM, previous)
    sys.exit(status)


def _over() -> None:
    """Ctrl-C and SIGTERM are held from now on, until the process ends with the command's
    status. Python's exit after a run (its modules and heap freed) takes a tenth of a second
    or more, with the signals' default actions back: a SIGTERM then (`timeout`, a service
    stopping) killed a run that had published and said so, status 143 (-15) without a word,
    or Ctrl-C with 130 and no line, and a cron job or CI read a finished export as a failed
    one."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


if __name__ == "__main__":
    run()
