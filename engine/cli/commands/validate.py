"""`layerlab validate PROJECT`: errors only."""

from __future__ import annotations

import sys

from engine.project import load_project
from engine.shapes import infer_shapes


def register(subparsers) -> None:
    parser = subparsers.add_parser("validate", help="check a project and list its errors",
                                   description="Exit 0 if valid, 1 if the graph has errors, 2 if the file "
                                               "cannot be read.")
    parser.add_argument("project", help="a .layerlab project file")
    parser.set_defaults(func=run)


def run(args) -> int:
    analysis = infer_shapes(load_project(args.project).network)
    for issue in analysis.blocking_issues:
        print(f"error: {issue.message}", file=sys.stderr)
    for issue in analysis.warnings:
        print(f"warning: {issue.message}", file=sys.stderr)
    if analysis.ok:
        print(f"{args.project}: valid")
    return 0 if analysis.ok else 1
