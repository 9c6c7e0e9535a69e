"""When a whole-model export fails, find the layers responsible by exporting each layer alone,
so the refusal can name the layer and the format instead of showing a compiler trace."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from engine.export.source import ExportSource

Attempt = Callable[[nn.Module, tuple], None]
"""Try to export one module called with the given example inputs; raise if it cannot."""


def layer_labels(source: ExportSource) -> dict[str, str]:
    """Submodule name -> "'layer name' (Type)" for messages."""
    network = source.project.network
    by_value = {value: node_id for node_id, value in source.model.meta.get("layerlab_nodes", {}).items()}
    labels = {}
    for node in source.model.graph.nodes:
        if node.op == "call_module":
            node_id = by_value.get(node.name)
            if node_id is None:
                labels[node.target] = f"'{node.target}'"
            else:
                labels[node.target] = f"'{network.name_of(node_id)}' ({network.spec(node_id).type_id})"
    return labels


def layer_inputs(source: ExportSource, batch: int = 2) -> dict[str, tuple]:
    """The inputs each submodule receives when the example batch runs through the model."""
    captured: dict[str, tuple] = {}
    handles = []
    for name, module in source.model.named_children():
        def hook(mod: nn.Module, args: tuple, name: str = name) -> None:
            captured.setdefault(name, tuple(a.detach() if isinstance(a, torch.Tensor) else a for a in args))
        handles.append(module.register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            source.model(source.example(batch))
    finally:
        for handle in handles:
            handle.remove()
    return captured


def failing_layers(source: ExportSource, attempt: Attempt) -> list[str]:
    """Labels of the layers that cannot be exported on their own (in network order)."""
    labels = layer_labels(source)
    failing = []
    for name, args in layer_inputs(source).items():
        module = getattr(source.model, name)
        try:
            attempt(module, args)
        except Exception:
            failing.append(labels.get(name, f"'{name}'"))
    return failing


def refusal(format_name: str, source: ExportSource, error: BaseException, attempt: Attempt) -> str:
    """The message for a failed export: the layers to blame if they can be found, else the error."""
    culprits = failing_layers(source, attempt)
    detail = str(error).strip().splitlines()
    reason = f" ({type(error).__name__}: {detail[0][:300]})" if detail else f" ({type(error).__name__})"
    if culprits:
        return (f"The {format_name} format cannot express layer {', '.join(culprits)}{reason}. "
                f"Replace or remove it, or export to another format (state_dict, safetensors or python).")
    return f"The {format_name} export failed{reason}."
