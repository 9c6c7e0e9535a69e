"""`layerlab summary PROJECT [--json]`: the per-layer table and totals."""

from __future__ import annotations

import json
import sys

from engine.layers.geometry import fmt
from engine.project import load_project
from engine.shapes import Analysis, infer_shapes
from engine.summary import summary_dict


def register(subparsers) -> None:
    parser = subparsers.add_parser("summary", help="per-layer shapes, parameters, activations and MACs",
                                   description="Print each layer's output shape, parameters, activation size "
                                               "and multiply-accumulates. Exit 0 if valid, 1 if the graph has "
                                               "errors, 2 if the file cannot be read.")
    parser.add_argument("project", help="a .layerlab project file")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(func=run)


def run(args) -> int:
    project = load_project(args.project)
    analysis = infer_shapes(project.network)
    if args.json:
        print(json.dumps(summary_dict(project.network, analysis)))
    else:
        print(format_table(project.network, analysis))
        for issue in analysis.blocking_issues:
            print(f"error: {issue.message}", file=sys.stderr)
    return 0 if analysis.ok else 1


def format_table(network, analysis: Analysis) -> str:
    header = ("Layer", "Type", "Output shape", "Params", "Activations", "MACs")
    rows = [header]
    for node_id in analysis.order:
        info = analysis.nodes[node_id]
        shape = info.output_shape
        rows.append((network.name_of(node_id), network.spec(node_id).type_id,
                     fmt(shape) if shape is not None else "?", f"{info.params:,}",
                     f"{info.activations:,}", f"{info.macs:,}"))
    rows.append(("Total", "", "", f"{analysis.total_params:,}", f"{analysis.total_activations:,}",
                 f"{analysis.total_macs:,}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index in (0, len(rows) - 2):
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
