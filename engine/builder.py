"""A small fluent helper to write networks in code (samples, tests, scripts).

    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Flatten",), ("Dense", {"units": 16}), ("Sigmoid",))
"""

from __future__ import annotations

from typing import Any

from engine.graph import Network
from engine.layout import apply_layout


class NetworkBuilder:
    def __init__(self, network: Network | None = None) -> None:
        self.network = network if network is not None else Network()  # an empty Network is falsy

    def add(self, type_id: str, *inputs: str, name: str | None = None, port: str = "in", **params: Any) -> str:
        """Add a layer fed by `inputs` (node ids, or (node id, output port) pairs)."""
        node_id = self.network.add_node(type_id, params, name=name)
        for source in inputs:
            src, src_port = (source, "out") if isinstance(source, str) else source
            self.network.connect(src, node_id, src_port, port)
        return node_id

    def chain(self, start: str, *layers: tuple) -> str:
        """Add layers one after another from `start`; each item is (type, [params dict], [name])."""
        current = start
        for layer in layers:
            type_id, params, name = (tuple(layer) + ({}, None)[len(layer) - 1:])[:3]
            current = self.add(type_id, current, name=name, **params)
        return current

    def finish(self) -> Network:
        apply_layout(self.network)
        return self.network
