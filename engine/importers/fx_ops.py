"""How torch operations found by torch.fx map onto LayerLab layers. Nothing here knows a layer type:
a module is mapped by the layer spec that declares its class (`LayerSpec.module_types`), whose
`from_module` gives the params or raises Unsupported saying why; a function or tensor method is
first turned into the module that computes the same (F.relu -> nn.ReLU(), operator.add ->
LayerLab's Add), then mapped the same way. Nothing is approximated."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from engine.layers import modules as custom_modules
from engine.layers import spec_for_module
from engine.layers.spec import Unsupported, require

__all__ = ["Mapped", "Unsupported", "map_call", "map_module"]


@dataclass(frozen=True)
class Mapped:
    type_id: str
    params: dict[str, Any]
    inputs: tuple[fx.Node, ...]
    module: nn.Module
    """The torch module the layer must equal: the model's own, or the one a function call stands for."""


def map_module(node: fx.Node, module: nn.Module) -> Mapped:
    return _mapped(module, _tensor_args(node))


def _mapped(module: nn.Module, inputs: tuple[fx.Node, ...]) -> Mapped:
    spec = spec_for_module(module)
    if spec is None or spec.from_module is None:
        raise Unsupported(f"the layer library has no {type(module).__name__}")
    return Mapped(spec.type_id, spec.from_module(module), inputs, module)


# -- functions and methods: the module each one equals ------------------------------------

def _arg(node: fx.Node, index: int, name: str, default: Any) -> Any:
    return node.args[index] if len(node.args) > index else node.kwargs.get(name, default)


Equivalent = Callable[[fx.Node], tuple[nn.Module, tuple[fx.Node, ...]]]


def _merge(module: Callable[[], nn.Module]) -> Equivalent:
    def equivalent(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
        inputs = _tensor_args(node)
        require(len(inputs) == len(node.args) and not node.kwargs and len(inputs) >= 2,
                f"{_describe(node)} with a constant or keyword argument")
        return module(), inputs
    return equivalent


def _cat(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    tensors = _arg(node, 0, "tensors", ())
    dim = _arg(node, 1, "dim", 0)
    require(dim == 1, f"concatenation along dim={dim} (LayerLab's Concatenate uses the channel axis 1)")
    require(all(isinstance(t, fx.Node) for t in tensors), "concatenation of constants")
    return custom_modules.Concatenate(), tuple(tensors)


def _unary(module: Callable[[], nn.Module]) -> Equivalent:
    return lambda node: (module(), (node.args[0],))


def _flatten(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    return nn.Flatten(_arg(node, 1, "start_dim", 0), _arg(node, 2, "end_dim", -1)), (node.args[0],)


def _adaptive(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    return nn.AdaptiveAvgPool2d(_arg(node, 1, "output_size", None)), (node.args[0],)


FUNCTIONS: dict[Any, Equivalent] = {
    operator.add: _merge(custom_modules.Add), torch.add: _merge(custom_modules.Add),
    operator.mul: _merge(custom_modules.Multiply), torch.mul: _merge(custom_modules.Multiply),
    torch.cat: _cat, torch.flatten: _flatten, F.relu: _unary(nn.ReLU), torch.relu: _unary(nn.ReLU),
    torch.sigmoid: _unary(nn.Sigmoid), torch.tanh: _unary(nn.Tanh), F.adaptive_avg_pool2d: _adaptive,
}

METHODS: dict[str, Equivalent] = {
    "add": _merge(custom_modules.Add), "mul": _merge(custom_modules.Multiply), "flatten": _flatten,
    "relu": _unary(nn.ReLU), "sigmoid": _unary(nn.Sigmoid), "tanh": _unary(nn.Tanh),
}


def map_call(node: fx.Node) -> Mapped:
    """Map a call_function / call_method node."""
    table = FUNCTIONS if node.op == "call_function" else METHODS
    equivalent = table.get(node.target)
    if equivalent is None:
        raise Unsupported(f"LayerLab has no layer for {_describe(node)}")
    module, inputs = equivalent(node)
    return _mapped(module, inputs)


def _tensor_args(node: fx.Node) -> tuple[fx.Node, ...]:
    return tuple(a for a in node.args if isinstance(a, fx.Node))


def _describe(node: fx.Node) -> str:
    if node.op == "call_method":
        return f"the tensor method .{node.target}()"
    target = node.target
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", str(target))
    return f"{module}.{name}" if module and module != "_operator" else f"operator.{name}"
