"""``python -m ganlab``: see ganlab/cli/main.py."""

import sys

from ganlab.cli.main import main

sys.exit(main())
