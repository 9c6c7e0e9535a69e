"""The headless command line: `layerlab SUBCOMMAND ...`. Never imports Qt."""

from engine.cli.main import command_names, main

__all__ = ["command_names", "main"]
