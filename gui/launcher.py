"""The `layerlab` console script: a subcommand runs the headless CLI (no Qt imported);
anything else opens the desktop app."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from engine.cli import command_names

    if args and (args[0] in command_names() or args[0] in ("-h", "--help")):
        from engine.cli import main as cli_main

        return cli_main(args)
    try:
        from gui.app import run_app
    except ImportError as error:
        if getattr(error, "name", "") != "gui.app":
            raise
        print("The LayerLab desktop app is not built yet; use a subcommand (layerlab --help).")
        return 0
    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
