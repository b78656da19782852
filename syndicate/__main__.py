"""Entry point for `python -m syndicate` and the `syndicate` command."""

import signal
import sys


def run() -> None:
    """The command line, and its exit status. Ctrl-C or SIGTERM while Python is still
    importing syndicate (the first fraction of a second, before the command's own handling
    starts) ends it as any interrupt does, with status 130 and one line, never a traceback
    (SIGTERM was Python's default until then: the process ended at once, -15, unsaid)."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        from syndicate.cli import main

        status = main()
    except KeyboardInterrupt:
        print("interrupted before anything was done", file=sys.stderr)
        status = 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(status)


if __name__ == "__main__":
    run()
