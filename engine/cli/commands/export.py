"""`layerlab export SOURCE --format FMT -o PATH`: write a verified export, print one JSON line."""

from __future__ import annotations

import argparse
import json
import math
import sys

DESCRIPTION = ("Write the model in FORMAT, reload what was written, run a probe batch through it and the "
               "original, and print one JSON line {\"format\", \"path\", \"max_abs_diff\"}. Nothing is left "
               "behind if a step fails.")


def register(subparsers) -> None:
    # The formats come from the exporters, which import torch: they are read only when this
    # command runs or its help is shown, so that `layerlab summary` stays quick.
    parser = subparsers.add_parser("export", help="export a trained run or a project to another format, verified",
                                   description=DESCRIPTION, add_help=False)
    parser.add_argument("-h", "--help", action=_HelpWithFormats, nargs=0, help="show this help message and exit")
    parser.add_argument("source", help="a run directory (project.layerlab + weights.safetensors) or a .layerlab "
                                       "project (exported with fresh weights from --seed)")
    parser.add_argument("--format", "-f", required=True, type=_format_name, metavar="FMT",
                        help="the export format (listed by --help)")
    parser.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write")
    parser.add_argument("--seed", type=int, default=0, help="seed for fresh weights and the probe batch")
    parser.set_defaults(func=run)


class _HelpWithFormats(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from engine.export import FORMATS

        listed = "; ".join(f"{f.name} ({f.suffix}): {f.description}" for f in FORMATS.values())
        parser.description = f"{DESCRIPTION} Formats: {listed}."
        parser.print_help()
        parser.exit()


def _format_name(name: str) -> str:
    from engine.export import FORMATS

    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format '{name}'; choose one of: {', '.join(FORMATS)}")
    return name


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
