"""`python -m layerlab ...`: the `layerlab` command (also `torchrun -m layerlab train ...` from a wheel)."""

import sys

from layerlab import main

sys.exit(main())
