"""Entry point for `python -m syndicate` and the `syndicate` command."""

import sys


def run() -> None:
    """The command line, and its exit status. Ctrl-C while Python is still importing syndicate
    (the first fraction of a second, before the command's own handling starts) ends it as
    any interrupt does, with status 130 and one line, never a traceback."""
    try:
        from syndicate.cli import main

        status = main()
    except KeyboardInterrupt:
        print("interrupted before anything was done", file=sys.stderr)
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    run()
