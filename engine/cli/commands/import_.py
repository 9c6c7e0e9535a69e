"""`layerlab import torchvision:NAME -o PROJECT [--input-shape C,H,W] [--flat] [--weights FILE]`,
`layerlab import path/model.py:ClassName [--args JSON] --input-shape C,H,W -o PROJECT` (your own
nn.Module: this runs the file), `layerlab import model.onnx -o PROJECT` and
`layerlab import WEIGHTS --project PROJECT -o RUN_DIR`: start from a known architecture, your own
module or an ONNX file, or load weights (safetensors or a weights-only state dict) into a project."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.errors import LayerLabError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import a torchvision architecture, your own nn.Module or an ONNX file, or load weights",
        description="torchvision:NAME, path/model.py:ClassName (your own nn.Module; the file is run) or "
                    "model.onnx (needs onnx2torch) becomes an editable LayerLab project (-o PROJECT.layerlab); "
                    "layer names are kept, parameter counts and outputs checked; operations LayerLab cannot "
                    "express are listed and the import refused. A weights file (safetensors, or a state dict read with "
                    "weights_only=True) is loaded into --project and written as a run directory (-o RUN_DIR); "
                    "the matched, missing and mismatched tensors are reported.")
    parser.add_argument("source", help="torchvision:NAME (e.g. torchvision:resnet18), path/model.py:ClassName, "
                                       "model.onnx, or a weights file")
    parser.add_argument("-o", "--output", required=True,
                        help="the project file to write, or a run directory when weights are loaded")
    parser.add_argument("--input-shape", type=_shape, default=None, metavar="C,H,W",
                        help="input size (default 3,224,224 for torchvision, the file's own for ONNX; "
                             "required for a Python module)")
    parser.add_argument("--args", default=None, metavar="JSON",
                        help="keyword arguments for a Python module's class, as a JSON object "
                             "(e.g. '{\"channels\": 16}')")
    parser.add_argument("--keep-weights", action="store_true",
                        help="for a Python module or ONNX file: also keep its weights (-o is then a run "
                             "directory)")
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
    from engine.importers.user_module import parse_user_source
    from engine.project import load_project

    if args.source.lower().endswith(".onnx"):
        return _import_onnx(args)
    if not args.source.startswith(PREFIX) and (parse_user_source(args.source) or args.source.lower().endswith(".py")):
        return _import_user_module(args)
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
    save_run_dir(project, model.state_dict(), args.output, origin=f"weights file {weights}")
    print(f"wrote run directory {args.output}")
    return 0


def _import_user_module(args) -> int:
    from engine.importers.user_module import UserModuleError, import_user_module, parse_user_source

    parsed = parse_user_source(args.source)
    if parsed is None:
        raise UserModuleError(f"Name the class to import: {args.source}:ClassName.")
    if args.input_shape is None:
        raise UserModuleError(f"Give the input size of {parsed[1]} with --input-shape (e.g. 3,32,32).")
    kwargs = _json_args(args.args)
    print(f"Running {parsed[0]} to build {parsed[1]} (this executes its code)", flush=True)
    result = import_user_module(args.source, args.input_shape, kwargs, flat=args.flat)
    return _write(result.project, result.reference, args,
                  f"outputs equal {parsed[1]}'s within {result.max_abs_diff:.2g}")


def _import_onnx(args) -> int:
    from engine.importers.onnx_import import import_onnx

    result = import_onnx(Path(args.source), args.input_shape, flat=args.flat)
    check = ("onnxruntime not installed: outputs checked against onnx2torch's module only"
             if result.max_abs_diff is None else f"outputs equal onnxruntime's within {result.max_abs_diff:.2g}")
    return _write(result.project, result.reference, args, check)


def _json_args(text: str | None) -> dict:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise LayerLabError(f"--args must be a JSON object such as '{{\"channels\": 16}}' ({error.msg}).") from None
    if not isinstance(value, dict):
        raise LayerLabError("--args must be a JSON object of keyword arguments, such as '{\"channels\": 16}'.")
    return value


def _write(project, reference, args, check: str) -> int:
    """Save the project (or, with --keep-weights or --weights, a run directory) and say what it holds."""
    from engine.shapes import infer_shapes

    params = infer_shapes(project.network).total_params
    if args.weights is not None:
        return _load_into(project, args.weights, args)
    if args.keep_weights:
        from engine.importers.keep import keep_weights

        keep_weights(project, reference, args.output, f"imported from {args.source}")
        print(f"wrote run directory {args.output}: {len(project.network)} layers, {params:,} parameters; {check}")
        return 0
    project.save(args.output)
    blocks = f" ({len(project.blocks)} block definitions)" if len(project.blocks) else ""
    print(f"wrote {args.output}: {len(project.network)} layers{blocks}, {params:,} parameters; {check}")
    return 0
