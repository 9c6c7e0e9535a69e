"""The network summary as plain data (CLI --json, GUI table, exporters)."""

from __future__ import annotations

from typing import Any

from engine.graph import Network
from engine.shapes import Analysis


def summary_dict(network: Network, analysis: Analysis) -> dict[str, Any]:
    layers = []
    for node_id in analysis.order:
        info = analysis.nodes[node_id]
        shape = info.output_shape
        layers.append({"id": node_id, "name": network.name_of(node_id), "type": network.spec(node_id).type_id,
                       "output_shape": list(shape) if shape is not None else None, "params": info.params,
                       "activations": info.activations, "macs": info.macs})
    return {"total_params": analysis.total_params, "trainable_params": analysis.total_params,
            "total_macs": analysis.total_macs, "total_activations": analysis.total_activations,
            "layers": layers, "errors": [{"node": e.node, "message": e.message} for e in analysis.errors],
            "warnings": [{"node": w.node, "message": w.message} for w in analysis.warnings]}
