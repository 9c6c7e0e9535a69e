"""`python -m engine SUBCOMMAND ...` (also what torchrun runs)."""

import sys

from engine.cli import main

sys.exit(main())
