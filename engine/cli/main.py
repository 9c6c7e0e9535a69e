"""Argument parsing and dispatch. Each subcommand lives in its own module under
engine/cli/commands/ and provides `register(subparsers)`; new modules are found automatically."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from engine.cli import commands
from engine.errors import LayerLabError


def _command_modules() -> list:
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{commands.__name__}.{name}") for name in names]


def command_names() -> list[str]:
    """The subcommand names (each module's `register` chooses its own, e.g. `import`)."""
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(subparsers.choices)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerlab",
        description="LayerLab: design, train and export neural networks. Without a subcommand "
                    "(`layerlab [PROJECT]`) the desktop app opens.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except LayerLabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
