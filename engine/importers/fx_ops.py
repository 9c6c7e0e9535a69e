"""How torch operations found by torch.fx map onto LayerLab layers. Nothing here knows a layer type:
a module is mapped by the layer spec that declares its class (`LayerSpec.module_types`), whose
`from_module` gives the params or raises Unsupported saying why; a function or tensor method is
first turned into the module that computes the same (F.relu -> nn.ReLU(), operator.add ->
LayerLab's Add), then mapped the same way. Nothing is approximated."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from torch import fx, nn

from engine.importers.fx_calls import FUNCTIONS, METHODS, arg, describe, tensor_args, weight_path
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
    path: str = ""
    """For a call that uses a stored tensor as the layer's weight (`layer_scale * x`): the tensor's
    path, which names the layer (so its weight keeps torch's name)."""


def map_module(node: fx.Node, module: nn.Module) -> Mapped:
    inputs = tensor_args(node)
    if isinstance(module, nn.MultiheadAttention):  # self-attention: the layer takes its one input once
        masks = [arg(node, i, k, None) for i, k in ((3, "key_padding_mask"), (5, "attn_mask"))]
        require(len(set(inputs)) == 1 and len(inputs) == 3 and not any(masks),
                "attention with other keys or values than its queries, or a mask")
        inputs = inputs[:1]
    return _mapped(module, inputs)


def _mapped(module: nn.Module, inputs: tuple[fx.Node, ...]) -> Mapped:
    spec = spec_for_module(module)
    if spec is None or spec.from_module is None:
        raise Unsupported(f"the layer library has no {type(module).__name__}")
    return Mapped(spec.type_id, spec.from_module(module), inputs, module)


def map_call(node: fx.Node) -> Mapped:
    """Map a call_function / call_method node."""
    table = FUNCTIONS if node.op == "call_function" else METHODS
    equivalent = table.get(node.target)
    if equivalent is None:
        raise Unsupported(f"LayerLab has no layer for {describe(node)}")
    module, inputs = equivalent(node)
    return replace(_mapped(module, inputs), path=weight_path(node))
