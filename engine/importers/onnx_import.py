"""Import an ONNX file: onnx2torch turns its graph into torch modules, which are rewritten into the
plain torch operations LayerLab's torch.fx importer knows (an ONNX Add becomes `+`, a Reshape that
flattens becomes torch.flatten, a ReduceMean over height and width an adaptive average pool), then
imported like any module. The result is checked against onnxruntime on a probe batch.

onnx2torch is an optional extra (`pip install 'layerlab[onnx-import]'`)."""

from __future__ import annotations

import importlib.util
import math
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from engine.graph import python_name
from engine.importers.torchvision_import import ImportRefused
from engine.importers.user_module import TOLERANCE, import_traced, output_difference
from engine.importers.weights import WeightsReport, load_weights
from engine.layers.modules import Reshape
from engine.project import Project

INSTALL = "pip install onnx2torch onnxruntime (or pip install 'layerlab[onnx-import]')"
OPSET = 17  # onnx2torch converts opsets up to 17; newer files are converted down first
_MERGES = {"Add": operator.add, "Mul": operator.mul}
_PASS_THROUGH = ("OnnxCopyIdentity", "OnnxDropoutDynamic", "Dropout", "Identity")
_ACTIVATIONS = {"Relu": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh}


class OnnxImportError(ImportRefused):
    """The file is not ONNX, the converter is missing, or the graph has operations LayerLab lacks."""


@dataclass
class OnnxImport:
    """The imported project, the torch module it was rebuilt from (holding the file's weights), and
    the largest difference from onnxruntime's outputs (None when onnxruntime is not installed)."""

    project: Project
    reference: nn.Module
    max_abs_diff: float | None

    def copy_weights(self, model: nn.Module) -> WeightsReport:
        """Copy the ONNX file's weights into a compiled LayerLab model."""
        return load_weights(model, self.reference.state_dict())


def available() -> bool:
    """Whether onnx and onnx2torch are installed."""
    return all(importlib.util.find_spec(name) for name in ("onnx", "onnx2torch"))


def read_onnx(path: Path) -> Any:
    """The ONNX model in `path`, converted to an opset onnx2torch reads."""
    if not available():
        raise OnnxImportError(f"Importing '{path}' needs the onnx2torch package: {INSTALL}.")
    import onnx
    from onnx import version_converter

    if not path.is_file():
        raise OnnxImportError(f"Cannot import '{path}': the file does not exist.")
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as error:
        raise OnnxImportError(f"'{path}' is not an ONNX model ({_first_line(error)}); export the network to "
                              "ONNX again, or give a Python file as path/model.py:ClassName.") from None
    _relax_reshapes(model)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), OPSET)
    if opset > OPSET:
        try:
            model = version_converter.convert_version(model, OPSET)
        except Exception as error:
            raise OnnxImportError(f"'{path}' uses ONNX opset {opset}, which cannot be converted to opset {OPSET} "
                                  f"for onnx2torch ({_first_line(error)}).") from None
    return model


def _relax_reshapes(model: Any) -> None:
    """allowzero=1 (torch's exporter writes it) changes nothing when the target shape has no 0, but
    onnx2torch refuses it: clear it there."""
    from onnx import numpy_helper

    constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "Reshape" or len(node.input) < 2 or node.input[1] not in constants:
            continue
        if (constants[node.input[1]] != 0).all():
            for attribute in node.attribute:
                if attribute.name == "allowzero":
                    attribute.i = 0


def input_shape_of(model: Any) -> tuple[int, ...] | None:
    """The per-sample input shape the file fixes (its first input without the batch axis), or None."""
    dims = _input_dims(model)
    shape = tuple(dims[1:])
    return shape if shape and all(v > 0 for v in shape) else None


def _input_dims(model: Any) -> list[int]:
    """The sizes of the file's one input (0 where an axis is dynamic), or [] for several inputs."""
    inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    return [d.dim_value for d in inputs[0].type.tensor_type.shape.dim] if len(inputs) == 1 else []


def import_onnx(path: str | Path, input_shape: tuple[int, ...] | None = None, flat: bool = False) -> OnnxImport:
    """Import the ONNX file at `path` for inputs of `input_shape` (C, H, W; by default the file's)."""
    path = Path(path)
    model = read_onnx(path)  # says what to install when onnx2torch is missing
    from onnx2torch import convert

    shape = tuple(input_shape or input_shape_of(model) or ())
    if not shape:
        raise OnnxImportError(f"'{path}' does not fix its input size: give one with --input-shape C,H,W.")
    try:
        converted = convert(model, attach_onnx_mapping=True).eval()
    except Exception as error:
        raise OnnxImportError(f"onnx2torch cannot convert '{path}': {_first_line(error)}.") from None
    batch = (_input_dims(model) or [0])[0] or 2  # a file made for one batch size is run with that size
    probe = torch.randn(batch, *shape, generator=torch.Generator().manual_seed(0))
    try:
        fx.passes.shape_prop.ShapeProp(converted).propagate(probe)
    except Exception as error:
        raise OnnxImportError(f"'{path}' does not run on {'x'.join(map(str, shape))} inputs "
                              f"({_first_line(error)}); try another --input-shape.") from None
    module = plain_module(converted, _op_types(model), path)
    name = re.sub(r"\W", "_", path.stem) or "onnx_model"
    description = f"{path.name} (ONNX), imported with torch.fx for {'x'.join(map(str, shape))} inputs."
    project = import_traced(module, shape, name, description, flat)
    difference = output_difference(project, module.state_dict(), module, shape, name, batch)
    runtime = _runtime(path)
    if runtime is not None:
        difference = output_difference(project, module.state_dict(), runtime, shape, name, batch)
    return OnnxImport(project, module, difference if runtime is not None else None)


def _runtime(path: Path) -> Any:
    """A function running the file in onnxruntime, or None when it is not installed."""
    if importlib.util.find_spec("onnxruntime") is None:
        return None
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: torch.from_numpy(session.run(None, {name: x.numpy()})[0])


def _op_types(model: Any) -> dict[str, tuple[str, str | None]]:
    """Each ONNX node (by onnx2torch's module name): its type, and the name of its weights in the file
    (the prefix of its '….weight' initializer, 'c1' for 'c1.weight'), if any."""
    from onnx2torch.onnx_graph import OnnxGraph

    stored = {t.name for t in model.graph.initializer}
    ops = {}
    for name, node in OnnxGraph(model.graph).nodes.items():
        weight = next((v for v in node.input_values[1:] if v in stored and v.endswith(".weight")), None)
        ops[name] = (node.operation_type, weight[: -len(".weight")] if weight else None)
    return ops


def plain_module(converted: fx.GraphModule, op_types: dict[str, tuple[str, str | None]],
                 path: Path) -> fx.GraphModule:
    """onnx2torch's module rewritten into torch.nn modules and the functions LayerLab maps, or a
    refusal listing the ONNX operations that have no such form."""
    rewriter = _Rewriter(converted, op_types)
    rewriter.run()
    if rewriter.problems:
        listed = "\n".join(f"- {p}" for p in rewriter.problems)
        raise OnnxImportError(f"'{path}' cannot be imported exactly: {len(rewriter.problems)} ONNX operation(s) "
                              f"LayerLab cannot represent:\n{listed}", rewriter.problems)
    return fx.GraphModule(rewriter.modules, rewriter.graph).eval()


class _Rewriter:
    """Copies onnx2torch's graph node by node into a new graph of plain torch operations."""

    def __init__(self, converted: fx.GraphModule, op_types: dict[str, tuple[str, str | None]]) -> None:
        self.converted, self.op_types = converted, op_types
        self.graph = fx.Graph()
        self.modules: dict[str, nn.Module] = {}
        self.values: dict[fx.Node, Any] = {}  # old node -> new node, or a constant tensor
        self.problems: list[str] = []

    def run(self) -> None:
        for node in self.converted.graph.nodes:
            if node.op == "placeholder":
                self.values[node] = self.graph.placeholder(node.name)
            elif node.op == "get_attr":
                self.values[node] = self.converted.get_buffer(str(node.target))
            elif node.op == "output":
                result = self.values.get(node.args[0]) if isinstance(node.args[0], fx.Node) else None
                if isinstance(result, fx.Node):
                    self.graph.output(result)
                elif not self.problems:
                    self.problems.append("the model does not return one tensor computed from its input")
            elif node.op == "call_module":
                self._module(node)
            else:
                self.problems.append(f"'{node.name}': {node.target} (an ONNX operation with several outputs)")

    def _module(self, node: fx.Node) -> None:
        module = self.converted.get_submodule(str(node.target))
        kind = type(module).__name__
        op_type = self.op_types.get(str(node.target), (kind, None))[0]
        args = [self.values.get(a, a) if isinstance(a, fx.Node) else a for a in node.args]
        if any(isinstance(a, fx.Node) and a not in self.values for a in node.args):
            return  # fed by an operation already listed
        inputs = [a for a in args if isinstance(a, fx.Node)]
        shapes = [_shape(a) for a in node.args if isinstance(a, fx.Node)]
        out = _shape(node)
        label = f"ONNX node '{node.target}' ({op_type})"
        if kind in _PASS_THROUGH and inputs:
            self.values[node] = inputs[0]
        elif kind == "OnnxFunction" and op_type in _ACTIVATIONS and len(inputs) == len(args) == 1:
            self.values[node] = self.graph.call_module(self._add(_ACTIVATIONS[op_type](), node), (inputs[0],))
        elif type(module).__module__.startswith("torch.nn.") and len(inputs) == len(args) == 1:
            self.values[node] = self.graph.call_module(self._add(module, node), (inputs[0],))
        elif kind == "OnnxBinaryMathOperation" and op_type in _MERGES and len(inputs) == len(args) == 2:
            self.values[node] = self.graph.call_function(_MERGES[op_type], tuple(inputs))
        elif kind == "OnnxConcat" and module.axis == 1 and len(inputs) == len(args):
            self.values[node] = self.graph.call_function(torch.cat, (tuple(inputs),), {"dim": 1})
        elif inputs and shapes[0] is not None and out is not None and self._reshaped(node, inputs[0], shapes[0], out,
                                                                                     op_type):
            pass
        else:
            self.problems.append(f"{label}: {_why(kind, args, inputs)}")

    def _reshaped(self, node: fx.Node, x: fx.Node, shape: tuple[int, ...], out: tuple[int, ...], op: str) -> bool:
        """Shape changes and averages that LayerLab's layers express: flatten, reshape keeping the batch
        axis (LayerLab's own Reshape module), global mean."""
        if op in ("Reshape", "Flatten", "Squeeze", "Unsqueeze"):
            if out == shape:
                self.values[node] = x
            elif len(shape) > 2 and out == (shape[0], math.prod(shape[1:])):
                self.values[node] = self.graph.call_function(torch.flatten, (x, 1))
            elif len(out) > 1 and out[0] == shape[0] and math.prod(out[1:]) == math.prod(shape[1:]):
                self.values[node] = self.graph.call_module(self._add(Reshape(out[1:]), node), (x,))
            else:
                return False
            return True
        spatial_mean = op in ("ReduceMean", "GlobalAveragePool") and len(shape) == 4
        if spatial_mean and out in ((*shape[:2], 1, 1), tuple(shape[:2])):
            pooled = self.graph.call_module(self._add(nn.AdaptiveAvgPool2d((1, 1)), node), (x,))
            self.values[node] = pooled if len(out) == 4 else self.graph.call_function(torch.flatten, (pooled, 1))
            return True
        return False

    def _add(self, module: nn.Module, node: fx.Node) -> str:
        """Keep `module` under the name of its weights in the file ('c1' for 'c1.weight'), else the node's."""
        if hasattr(module, "onnx_mapping"):
            del module.onnx_mapping
        weights = self.op_types.get(str(node.target), ("", None))[1]
        name = weights or re.sub(r"^node_", "", str(node.target))
        target = python_name(name)
        if hasattr(fx.GraphModule, target):  # 'code', 'graph', 'forward' ... are the module's own
            target += "_"
        candidate, i = target, 1
        while candidate in self.modules:
            candidate, i = f"{target}_{i}", i + 1
        self.modules[candidate] = module
        return candidate


def _shape(node: fx.Node) -> tuple[int, ...] | None:
    meta = node.meta.get("tensor_meta")
    return tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None


def _why(kind: str, args: list, inputs: list) -> str:
    if len(inputs) < len(args) and kind == "OnnxBinaryMathOperation":
        return "arithmetic with a constant tensor (LayerLab's Add and Multiply take only layer outputs)"
    return "LayerLab has no layer for it"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:300]}" if text else type(error).__name__


__all__ = ["INSTALL", "TOLERANCE", "OnnxImport", "OnnxImportError", "available", "import_onnx", "input_shape_of",
           "plain_module", "read_onnx"]
