"""`layerlab datasets`: the dataset sources and their settings."""

from __future__ import annotations

import json


def register(subparsers) -> None:
    parser = subparsers.add_parser("datasets", help="list the dataset sources",
                                   description="List the sources a project's dataset.source can name, with "
                                               "the dataset settings each one reads.")
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    parser.set_defaults(func=run)


def run(args) -> int:
    from engine.data.catalog import COMMON, SOURCES

    rows = [{"source": s.name, "description": s.description, "in_memory": s.in_memory, "settings": list(s.reads),
             "test_split": not s.own_test_set} for s in SOURCES.values()]
    if args.json:
        print(json.dumps(rows))
        return 0
    width = max(len(r["source"]) for r in rows)
    for row in rows:
        extra = f" (settings: {', '.join(row['settings'])})" if row["settings"] else ""
        print(f"{row['source'].ljust(width)}  {row['description']}{extra}")
    print(f"\nEvery source also takes: {', '.join(COMMON)}; and test_split, when it has no test set of its "
          f"own ({', '.join(r['source'] for r in rows if r['test_split'])}). See docs/training.md.")
    return 0
