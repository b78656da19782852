"""Entry point for `python -m syndicate`."""

import sys

from syndicate.cli import main

sys.exit(main())
