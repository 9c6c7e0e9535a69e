"""The installed `layerlab` command: it puts the folder holding LayerLab's `engine` and `gui` first on
sys.path, then runs gui.launcher.

A wheel installs those packages inside this one (site-packages/layerlab/engine, .../gui, laid out
like the checkout) so that their generic names never claim site-packages' top level; only this
process sees them. A checkout or an editable install has them at the top already, and nothing is
added. Code using LayerLab from a wheel calls add_code_path() once, then imports `engine`; never
`layerlab.engine`, which would load a second copy of every module (docs/packaging.md)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def add_code_path() -> None:
    """Make `import engine` and `import gui` find this install's packages (a wheel's); idempotent."""
    if (HERE / "engine").is_dir() and str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def main() -> int:
    """The console script: a CLI subcommand, or the desktop app."""
    add_code_path()
    from gui.launcher import main as launch

    return launch()
