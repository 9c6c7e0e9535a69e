"""Copy/paste as JSON on the system clipboard, so layers travel between windows (and instances).

The JSON goes on the clipboard as plain text (its "format" field marks it as LayerLab layers):
a QMimeData handed to the clipboard from Python is deleted twice at exit by PySide6 6.11."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from PySide6.QtWidgets import QApplication

from engine.blocks.block_file import definitions_document
from engine.errors import LayerLabError
from engine.graph import Edge, Network, NodeData
from engine.layers import get_spec
from engine.layers.blocks import BLOCK

FORMAT = "layerlab-layers"


class Clip(NamedTuple):
    """Layers from the clipboard: nodes, the wires among them, and the block definitions the
    blocks among them use (as the project file writes them, nested first)."""

    nodes: list[NodeData]
    edges: list[Edge]
    blocks: list[dict[str, Any]]


def selection_to_json(network: Network, node_ids: Iterable[str]) -> str:
    """The chosen nodes and the wires among them, as a small JSON document."""
    ids = [n for n in node_ids if n in network]
    chosen = set(ids)
    nodes = []
    for node_id in ids:
        node = network.node(node_id)
        nodes.append({"id": node.id, "type": node.type, "name": node.name,
                      "params": {k: list(v) if isinstance(v, tuple) else v for k, v in node.params.items()},
                      "position": list(node.position)})
    edges = [{"source": e.source, "target": e.target, "source_port": e.source_port, "target_port": e.target_port}
             for e in network.edges() if e.source in chosen and e.target in chosen]
    used = sorted({network.params_view(n)["definition"] for n in ids if network.node(n).type == BLOCK})
    library = network.library
    blocks = definitions_document(library, [n for n in used if n in library]) if library is not None else []
    return json.dumps({"format": FORMAT, "version": 1, "nodes": nodes, "edges": edges, "blocks": blocks})


def selection_from_json(text: str) -> Clip | None:
    """Parse clipboard text; None when it is not LayerLab layers (or names unknown layer types)."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            return None
        nodes = []
        for raw in doc["nodes"]:
            get_spec(raw["type"])
            x, y = raw.get("position", (0.0, 0.0))
            nodes.append(NodeData(str(raw["id"]), raw["type"], str(raw["name"]), dict(raw.get("params", {})),
                                  (float(x), float(y))))
        edges = [Edge(e["source"], e["target"], e.get("source_port", "out"), e.get("target_port", "in"))
                 for e in doc.get("edges", [])]
        blocks = list(doc.get("blocks", []))
    except (ValueError, KeyError, TypeError, LayerLabError):
        return None
    return Clip(nodes, edges, blocks)


def copy_to_clipboard(network: Network, node_ids: Iterable[str]) -> bool:
    ids = list(node_ids)
    if not ids:
        return False
    QApplication.clipboard().setText(selection_to_json(network, ids))
    return True


def read_clipboard() -> Clip | None:
    text = QApplication.clipboard().text()
    return selection_from_json(text) if text else None
