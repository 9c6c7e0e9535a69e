"""How torch operations found by torch.fx map onto LayerLab layers. Each mapper returns
(layer type, params) or raises Unsupported saying why; nothing is approximated."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import fx, nn


class Unsupported(Exception):
    """This operation has no exact LayerLab layer; the message says why."""


@dataclass(frozen=True)
class Mapped:
    type_id: str
    params: dict[str, Any]
    inputs: tuple[fx.Node, ...]
    check: Callable[[tuple[int, ...]], str | None] | None = None
    """Optional check against the layer's inferred input shape (a reason to refuse, or None)."""


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise Unsupported(reason)


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)  # type: ignore[return-value]


# -- modules -------------------------------------------------------------------------------

def _conv(m: nn.Conv2d) -> dict:
    _require(not isinstance(m.padding, str), f"padding='{m.padding}' (give explicit padding)")
    _require(m.padding_mode == "zeros", f"padding_mode='{m.padding_mode}' (only zero padding)")
    return {"filters": m.out_channels, "kernel": _pair(m.kernel_size), "stride": _pair(m.stride),
            "padding": _pair(m.padding), "dilation": _pair(m.dilation), "groups": m.groups,
            "bias": m.bias is not None}


def _conv_t(m: nn.ConvTranspose2d) -> dict:
    _require(_pair(m.dilation) == (1, 1), "dilation other than 1")
    _require(m.padding_mode == "zeros", f"padding_mode='{m.padding_mode}'")
    return {"filters": m.out_channels, "kernel": _pair(m.kernel_size), "stride": _pair(m.stride),
            "padding": _pair(m.padding), "output_padding": _pair(m.output_padding), "groups": m.groups,
            "bias": m.bias is not None}


def _batch_norm(m: nn.modules.batchnorm._BatchNorm) -> dict:
    _require(m.affine and m.track_running_stats, "batch norm without affine weights or running statistics")
    _require(m.momentum is not None, "batch norm with a cumulative average (momentum=None)")
    return {"momentum": float(m.momentum), "eps": float(m.eps)}


def _max_pool(m: nn.MaxPool2d) -> dict:
    _require(not m.ceil_mode, "ceil_mode=True (LayerLab pools round down)")
    _require(_pair(m.dilation) == (1, 1), "dilation other than 1")
    _require(not m.return_indices, "return_indices=True")
    return {"kernel": _pair(m.kernel_size), "stride": _pair(m.stride or m.kernel_size), "padding": _pair(m.padding)}


def _avg_pool(m: nn.AvgPool2d) -> dict:
    _require(not m.ceil_mode, "ceil_mode=True (LayerLab pools round down)")
    _require(m.count_include_pad and m.divisor_override is None, "count_include_pad=False or a divisor override")
    return {"kernel": _pair(m.kernel_size), "stride": _pair(m.stride or m.kernel_size), "padding": _pair(m.padding)}


def _adaptive(size: Any) -> dict:
    size = _pair(size)
    _require(all(isinstance(s, int) for s in size), "an output size of None (keep the input size)")
    return {"output_size": size}


def _layer_norm(m: nn.LayerNorm) -> Mapped:
    _require(not m.elementwise_affine or getattr(m, "bias", None) is not None,
             "layer norm with a scale but no shift (bias=False)")
    shape = tuple(m.normalized_shape)
    return Mapped("LayerNorm", {"eps": float(m.eps), "affine": m.elementwise_affine}, (),
                  lambda ins: None if tuple(ins) == shape else
                  f"normalizes over {list(shape)} but LayerLab's LayerNorm normalizes the whole sample {list(ins)}")


def _upsample(m: nn.Upsample) -> dict:
    _require(m.mode == "nearest" and m.size is None, f"mode='{m.mode}' or a fixed size (only nearest by a factor)")
    scale = m.scale_factor if isinstance(m.scale_factor, tuple) else (m.scale_factor, m.scale_factor)
    _require(all(float(s).is_integer() for s in scale), "a fractional scale factor")
    return {"scale": tuple(int(s) for s in scale)}


def _flatten(start: int, end: int) -> dict:
    _require(start == 1 and end == -1, f"flatten(start_dim={start}, end_dim={end}) (only from axis 1 to the end)")
    return {}


def _softmax(dim: Any) -> dict:
    _require(dim == 1, f"softmax over dim={dim} (LayerLab's Softmax uses axis 1)")
    return {}


MODULES: dict[type, Callable[[Any], Any]] = {
    nn.Conv2d: lambda m: ("Conv2d", _conv(m)),
    nn.ConvTranspose2d: lambda m: ("ConvTranspose2d", _conv_t(m)),
    nn.Linear: lambda m: ("Dense", {"units": m.out_features, "bias": m.bias is not None}),
    nn.BatchNorm1d: lambda m: ("BatchNorm1d", _batch_norm(m)),
    nn.BatchNorm2d: lambda m: ("BatchNorm2d", _batch_norm(m)),
    nn.LayerNorm: _layer_norm,
    nn.MaxPool2d: lambda m: ("MaxPool2d", _max_pool(m)),
    nn.AvgPool2d: lambda m: ("AvgPool2d", _avg_pool(m)),
    nn.AdaptiveAvgPool2d: lambda m: ("AdaptiveAvgPool2d", _adaptive(m.output_size)),
    nn.Upsample: lambda m: ("UpsampleNearest", _upsample(m)),
    nn.ReLU: lambda m: ("ReLU", {}),
    nn.Sigmoid: lambda m: ("Sigmoid", {}),
    nn.Tanh: lambda m: ("Tanh", {}),
    nn.GELU: lambda m: (_require(m.approximate == "none", "GELU with the tanh approximation"), ("GELU", {}))[1],
    nn.LeakyReLU: lambda m: ("LeakyReLU", {"negative_slope": float(m.negative_slope)}),
    nn.Identity: lambda m: ("Identity", {}),
    nn.Dropout: lambda m: ("Dropout", {"p": float(m.p)}),
    nn.Softmax: lambda m: ("Softmax", _softmax(m.dim)),
    nn.Flatten: lambda m: ("Flatten", _flatten(m.start_dim, m.end_dim)),
}


def map_module(node: fx.Node, module: nn.Module) -> Mapped:
    mapper = MODULES.get(type(module))
    if mapper is None:
        raise Unsupported(f"the layer library has no {type(module).__name__}")
    result = mapper(module)
    if isinstance(result, Mapped):
        return Mapped(result.type_id, result.params, _tensor_args(node), result.check)
    type_id, params = result
    return Mapped(type_id, params, _tensor_args(node))


# -- functions and methods ----------------------------------------------------------------

def _arg(node: fx.Node, index: int, name: str, default: Any) -> Any:
    return node.args[index] if len(node.args) > index else node.kwargs.get(name, default)


def _merge(type_id: str) -> Callable[[fx.Node], Mapped]:
    def mapper(node: fx.Node) -> Mapped:
        inputs = _tensor_args(node)
        _require(len(inputs) == len(node.args) and not node.kwargs and len(inputs) >= 2,
                 f"{_describe(node)} with a constant or keyword argument")
        return Mapped(type_id, {}, inputs)
    return mapper


def _cat(node: fx.Node) -> Mapped:
    tensors = _arg(node, 0, "tensors", ())
    dim = _arg(node, 1, "dim", 0)
    _require(dim == 1, f"concatenation along dim={dim} (LayerLab's Concatenate uses the channel axis 1)")
    _require(all(isinstance(t, fx.Node) for t in tensors), "concatenation of constants")
    return Mapped("Concatenate", {}, tuple(tensors))


def _unary(type_id: str, params: dict | None = None) -> Callable[[fx.Node], Mapped]:
    def mapper(node: fx.Node) -> Mapped:
        return Mapped(type_id, dict(params or {}), (node.args[0],))
    return mapper


def _flatten_call(node: fx.Node) -> Mapped:
    return Mapped("Flatten", _flatten(_arg(node, 1, "start_dim", 0), _arg(node, 2, "end_dim", -1)), (node.args[0],))


def _adaptive_call(node: fx.Node) -> Mapped:
    return Mapped("AdaptiveAvgPool2d", _adaptive(_arg(node, 1, "output_size", None)), (node.args[0],))


FUNCTIONS: dict[Any, Callable[[fx.Node], Mapped]] = {
    operator.add: _merge("Add"), torch.add: _merge("Add"), operator.mul: _merge("Multiply"),
    torch.mul: _merge("Multiply"), torch.cat: _cat, torch.flatten: _flatten_call,
    F.relu: _unary("ReLU"), torch.relu: _unary("ReLU"), torch.sigmoid: _unary("Sigmoid"),
    torch.tanh: _unary("Tanh"), F.adaptive_avg_pool2d: _adaptive_call,
}

METHODS: dict[str, Callable[[fx.Node], Mapped]] = {
    "add": _merge("Add"), "mul": _merge("Multiply"), "flatten": _flatten_call, "relu": _unary("ReLU"),
    "sigmoid": _unary("Sigmoid"), "tanh": _unary("Tanh"),
}


def map_call(node: fx.Node) -> Mapped:
    """Map a call_function / call_method node."""
    table = FUNCTIONS if node.op == "call_function" else METHODS
    mapper = table.get(node.target)
    if mapper is None:
        raise Unsupported(f"LayerLab has no layer for {_describe(node)}")
    return mapper(node)


def _tensor_args(node: fx.Node) -> tuple[fx.Node, ...]:
    return tuple(a for a in node.args if isinstance(a, fx.Node))


def _describe(node: fx.Node) -> str:
    if node.op == "call_method":
        return f"the tensor method .{node.target}()"
    target = node.target
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", str(target))
    return f"{module}.{name}" if module and module != "_operator" else f"operator.{name}"
