"""`python -m cli`: the `migkg` command."""

import sys

from cli.main import main

sys.exit(main())
