"""``python -m ganlab``: see ganlab/cli.py."""

import sys

from ganlab.cli import main

sys.exit(main())
