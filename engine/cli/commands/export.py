"""`layerlab export SOURCE --format FMT -o PATH`: write a verified export, print one JSON line."""

from __future__ import annotations

import json
import math
import sys


def register(subparsers) -> None:
    from engine.export import FORMATS

    listed = "; ".join(f"{f.name} ({f.suffix}): {f.description}" for f in FORMATS.values())
    parser = subparsers.add_parser(
        "export", help="export a trained run or a project to another format, verified",
        description="Write the model in FORMAT, reload what was written, run a probe batch through it and "
                    "the original, and print one JSON line {\"format\", \"path\", \"max_abs_diff\"}. Nothing is "
                    f"left behind if a step fails. Formats: {listed}.")
    parser.add_argument("source", help="a run directory (project.layerlab + weights.safetensors) or a .layerlab "
                                       "project (exported with fresh weights from --seed)")
    parser.add_argument("--format", "-f", required=True, choices=list(FORMATS), metavar="FMT",
                        help=f"one of: {', '.join(FORMATS)}")
    parser.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write")
    parser.add_argument("--seed", type=int, default=0, help="seed for fresh weights and the probe batch")
    parser.set_defaults(func=run)


def run(args) -> int:
    from engine.export import export, load_source

    result = export(load_source(args.source, seed=args.seed), args.format, args.output)
    record = result.to_json()
    if math.isnan(result.max_abs_diff):
        record["max_abs_diff"] = None
        print("note: onnxruntime is not installed, so the ONNX file was checked by onnx.checker only "
              "(pip install onnxruntime to compare outputs).", file=sys.stderr)
    for extra in result.extra_files:
        print(f"note: also wrote {extra}", file=sys.stderr)
    print(json.dumps(record))
    return 0
