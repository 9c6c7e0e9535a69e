"""`layerlab import torchvision:NAME -o PROJECT [--input-shape C,H,W] [--flat] [--weights FILE]` and
`layerlab import WEIGHTS --project PROJECT -o RUN_DIR`: start from a known architecture, or load
weights (safetensors or a weights-only state dict) into a project."""

from __future__ import annotations

import argparse
import sys

from engine.errors import LayerLabError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import a torchvision architecture, or load weights into a project",
        description="torchvision:NAME becomes an editable LayerLab project (-o PROJECT.layerlab); layer names "
                    "are kept and parameter counts checked; operations LayerLab cannot express are listed and "
                    "the import refused. A weights file (safetensors, or a state dict read with "
                    "weights_only=True) is loaded into --project and written as a run directory (-o RUN_DIR); "
                    "the matched, missing and mismatched tensors are reported.")
    parser.add_argument("source", help="torchvision:NAME (e.g. torchvision:resnet18) or a weights file")
    parser.add_argument("-o", "--output", required=True,
                        help="the project file to write, or a run directory when weights are loaded")
    parser.add_argument("--input-shape", type=_shape, default=None, metavar="C,H,W",
                        help="input size for a torchvision model (default 3,224,224)")
    parser.add_argument("--flat", action="store_true",
                        help="one card per layer, without blocks (by default each submodule of the torchvision "
                             "model, e.g. ResNet's layer1 and its BasicBlocks, becomes a block)")
    parser.add_argument("--project", help="the .layerlab project to load a weights file into")
    parser.add_argument("--weights", help="also load this weights file into the imported architecture "
                                          "(-o is then a run directory)")
    parser.add_argument("--allow-partial", action="store_true",
                        help="write the run directory even if some tensors are missing or mismatched")
    parser.set_defaults(func=run)


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a shape such as 3,224,224") from None
    if not shape or any(v < 1 for v in shape):
        raise argparse.ArgumentTypeError(f"'{text}' must be positive sizes such as 3,224,224")
    return shape


def run(args) -> int:
    from engine.importers import DEFAULT_INPUT_SHAPE, import_torchvision, parse_source
    from engine.importers.torchvision_import import PREFIX
    from engine.project import load_project

    if args.source.startswith(PREFIX):
        name = parse_source(args.source)
        result = import_torchvision(name, args.input_shape or DEFAULT_INPUT_SHAPE, flat=args.flat)
        project = result.project
        if args.weights is None:
            project.save(args.output)
            blocks = f" ({len(project.blocks)} block definitions)" if len(project.blocks) else ""
            print(f"wrote {args.output}: {len(project.network)} layers{blocks}, {result.reference_params:,} parameters "
                  f"(the same as torchvision's {name})")
            return 0
        return _load_into(project, args.weights, args)
    if args.project is None:
        raise LayerLabError(f"To load the weights in '{args.source}', name the project they belong to with "
                            "--project PROJECT.layerlab (or import an architecture with torchvision:NAME).")
    return _load_into(load_project(args.project), args.source, args)


def _load_into(project, weights: str, args) -> int:
    from engine.compiler import compile_network
    from engine.export.source import save_run_dir
    from engine.importers import load_weights_file

    model = compile_network(project.network)
    report = load_weights_file(model, weights)
    print(report.summary())
    if not report.complete and not args.allow_partial:
        print(f"error: not written: the weights do not fill the whole network (use --allow-partial to keep "
              f"the {len(report.missing) + len(report.mismatched)} other tensors at their fresh values).",
              file=sys.stderr)
        return 1
    save_run_dir(project, model.state_dict(), args.output)
    print(f"wrote run directory {args.output}")
    return 0
