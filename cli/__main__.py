"""`python -m cli`: the `migkg` command."""

import sys

from cli.main import main

if __name__ == "__main__":  # not when a spawned worker process imports it
    sys.exit(main())
