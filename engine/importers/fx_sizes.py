"""Values that only compute with sizes (x.shape, h // 16, torch._assert(h == 224)): no layers.
The input shape is fixed, so the graph walk evaluates them (the batch size stands for any number)
and a call such as x.reshape(n, c, h * w) reads its sizes from them."""

from __future__ import annotations

from typing import Any

import torch
from torch import fx

from engine.importers.fx_calls import BATCH, SIZE_VALUE
from engine.layers import Shape

SIZE_ATTRIBUTES = frozenset({"shape", "dtype", "device", "ndim", "is_cuda"})


class InputCheckFailed(Exception):
    """The model's own check of its input (torch._assert) fails for the input shape."""


def size_only(node: fx.Node, known: dict[fx.Node, bool]) -> bool:
    """The node computes with sizes, not with the data (x.shape[2] == 224, torch._assert(...))."""
    if node.op == "call_method" and node.target in ("size", "dim"):
        return True
    if node.op == "call_function" and node.target is getattr and node.args[1:2] and node.args[1] in SIZE_ATTRIBUTES:
        return True
    if node.op == "call_function" and node.target is torch._assert:
        return True
    inputs = node.all_input_nodes
    return node.op in ("call_function", "call_method") and bool(inputs) and all(known.get(a, False) for a in inputs)


def size_value(node: fx.Node, shapes: dict[fx.Node, Shape]) -> Any:
    """The value of a node that computes with sizes (x.shape[2] // 16), the batch size as BATCH;
    None where it cannot be known; InputCheckFailed for a torch._assert that fails. `shapes`: the
    tensors' shapes without the batch axis."""
    def tensor_size(value: Any) -> tuple | None:
        shape = shapes.get(value) if isinstance(value, fx.Node) else None
        return None if shape is None else (BATCH, *shape)

    if node.op == "call_method" and node.target in ("size", "dim"):
        full = tensor_size(node.args[0])
        if full is None:
            return None
        if node.target == "dim":
            return len(full)
        dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
        return full if dim is None else full[dim]
    if node.op == "call_function" and node.target is getattr:
        full = tensor_size(node.args[0])
        attribute = node.args[1]
        return None if full is None else {"shape": full, "ndim": len(full)}.get(attribute)
    found: list[Any] = []

    def value(a: fx.Node) -> Any:
        found.append(a.meta.get(SIZE_VALUE))
        return found[-1]

    args, kwargs = fx.node.map_arg(node.args, value), fx.node.map_arg(node.kwargs, value)
    if any(v is None for v in found) or node.op != "call_function":
        return None
    try:
        return node.target(*args, **kwargs)  # type: ignore[operator]
    except Exception as error:
        if node.target is torch._assert:
            raise InputCheckFailed(str(error)) from None
        return None

