"""Shape inference and cost summary: every node's output shape, parameters, activation size and
multiply-accumulates, with each error attached to the node (and wires) that cause it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from engine.errors import ShapeError
from engine.graph import Edge, Network
from engine.layers import SPECS, Shape, specs_with_role
from engine.layers.geometry import fmt, numel

MAIN, MAIN_INPUT = "out", "in"
"""A layer's main output and input port; other ports carry something else (a max-pool's indices)."""


@dataclass(frozen=True)
class Issue:
    """An error or warning a person can act on; `node` is None for whole-network problems."""

    node: str | None
    message: str
    edges: tuple[Edge, ...] = ()


@dataclass
class NodeInfo:
    outputs: dict[str, Shape] = field(default_factory=dict)
    params: int = 0
    macs: int = 0
    error: str | None = None

    @property
    def output_shape(self) -> Shape | None:
        return self.outputs.get("out")

    @property
    def activations(self) -> int:
        shape = self.output_shape
        return numel(shape) if shape is not None else 0


EMPTY_HINT = "The network is empty: start with an Input layer, then add layers and an Output."


@dataclass
class Analysis:
    """The result of `infer_shapes`. Totals count only nodes whose shapes are known: with an error,
    they are the totals of the layers before it (`totals_note` says so).

    An empty network has no errors (it is not wrong, only empty) but is not `ok` either: nothing
    can be built from it, and `hint` says how to start."""

    nodes: dict[str, NodeInfo]
    order: list[str]
    errors: list[Issue]
    warnings: list[Issue]

    @property
    def empty(self) -> bool:
        return not self.order

    @property
    def ok(self) -> bool:
        """Buildable: at least one layer and no errors."""
        return not self.errors and not self.empty

    @property
    def hint(self) -> str | None:
        """A friendly next step that is not an error (the empty network)."""
        return EMPTY_HINT if self.empty else None

    @property
    def blocking_issues(self) -> list[Issue]:
        """What stops the network from being built: its errors, or that it is empty."""
        return self.errors or ([Issue(None, EMPTY_HINT)] if self.empty else [])

    @cached_property
    def unknown_layers(self) -> list[str]:
        """Layers whose shapes, and so costs, are unknown: those with an error and those after one."""
        return [node_id for node_id in self.order if not self.nodes[node_id].outputs]

    @property
    def totals_note(self) -> str | None:
        """Why the totals cover only part of the network (None when they cover all of it)."""
        unknown = len(self.unknown_layers)
        if not unknown:
            return None
        known = len(self.order) - unknown
        return (f"totals of the {known} of {len(self.order)} layers with known shapes; the other {unknown} "
                f"{'has' if unknown == 1 else 'have'} an error or come{'s' if unknown == 1 else ''} after one")

    @cached_property
    def total_params(self) -> int:
        return sum(info.params for info in self.nodes.values())

    @cached_property
    def total_macs(self) -> int:
        return sum(info.macs for info in self.nodes.values())

    @cached_property
    def total_activations(self) -> int:
        return sum(info.activations for info in self.nodes.values())

    def edge_shape(self, edge: Edge) -> Shape | None:
        info = self.nodes.get(edge.source)
        return info.outputs.get(edge.source_port) if info else None

    def error_for(self, node_id: str) -> str | None:
        info = self.nodes.get(node_id)
        return info.error if info else None


def infer_shapes(network: Network) -> Analysis:
    """Infer shapes and costs for every node, in topological order."""
    order = network.topological_order()
    nodes: dict[str, NodeInfo] = {}
    errors: list[Issue] = []
    for node_id in order:
        info = _infer_node(network, node_id, nodes)
        nodes[node_id] = info
        if info.error:
            errors.append(Issue(node_id, info.error, tuple(network.in_edges(node_id))))
    if order:  # an empty network is not wrong, only empty (Analysis.hint)
        errors.extend(_network_errors(network))
    return Analysis(nodes, order, errors, _unused_layer_warnings(network))


def _infer_node(network: Network, node_id: str, known: dict[str, NodeInfo]) -> NodeInfo:
    spec = network.spec(node_id)
    in_edges = network.in_edges(node_id)
    connected = {e.target_port for e in in_edges}
    for port in spec.inputs:
        if port.name not in connected:
            return NodeInfo(error=f"{_label(network, node_id)}: its '{port.name}' input is not connected; "
                                  "wire a layer's output to it")
    shapes = [known[e.source].outputs.get(e.source_port) for e in in_edges]
    if any(shape is None for shape in shapes):
        return NodeInfo()  # an upstream layer has the error; do not repeat it here
    try:
        _check_wires(network, in_edges)
        cost = spec.infer(network.params_view(node_id), shapes)  # type: ignore[arg-type]
        _check_outputs(cost.outputs)
        _check_undoes(network, in_edges, cost.outputs, known)
    except ShapeError as error:
        return NodeInfo(error=f"{_label(network, node_id)}: {error}")
    return NodeInfo(outputs=dict(cost.outputs), params=cost.params, macs=cost.macs)


def _check_wires(network: Network, in_edges: list[Edge]) -> None:
    """A layer's extra outputs (a max-pool's 'indices') are not values: each feeds only an input of
    its own name (a max-unpool's 'indices'), and such an input takes only an output of that name."""
    for edge in in_edges:
        if edge.source_port == edge.target_port or (edge.source_port, edge.target_port) == (MAIN, MAIN_INPUT):
            continue
        source = f"'{network.name_of(edge.source)}'"
        if edge.target_port != MAIN_INPUT:
            makers = _names(s.display_name for s in SPECS.values() if edge.target_port in s.outputs)
            raise ShapeError(f"its '{edge.target_port}' input takes the '{edge.target_port}' output of a "
                             f"{makers}, not the '{edge.source_port}' output of {source}; rewire it")
        takers = _names(s.display_name for s in SPECS.values() if s.input_port(edge.source_port))
        raise ShapeError(f"the '{edge.source_port}' output of {source} is not a tensor of values: it feeds "
                         f"only the '{edge.source_port}' input of a {takers}; wire {source}'s "
                         f"'{MAIN}' output here instead")


def _check_outputs(outputs: dict[str, Shape]) -> None:
    for port, shape in outputs.items():
        if any(size < 1 for size in shape):
            what = "output" if port == MAIN else f"'{port}' output"
            raise ShapeError(f"its {what} would be {fmt(shape)}, with a size below 1; lower the padding or "
                             "the kernel, or give it a larger input")


def _check_undoes(network: Network, in_edges: list[Edge], outputs: dict[str, Shape],
                  known: dict[str, NodeInfo]) -> None:
    """A layer fed another's extra output (a max-unpool fed a max-pool's indices) undoes that layer:
    its output must have the shape that layer's input had (else the indices point outside it)."""
    for edge in in_edges:
        if edge.target_port == MAIN_INPUT:
            continue
        undone = network.in_edges(edge.source)
        if not undone or MAIN not in outputs:
            continue
        before = known[undone[0].source].outputs.get(undone[0].source_port)
        if before is not None and outputs[MAIN] != before:
            source = network.name_of(edge.source)
            raise ShapeError(f"it undoes '{source}' (its '{edge.target_port}' come from it), so its output "
                             f"must be the {fmt(before)} that '{source}' took, not {fmt(outputs[MAIN])}; give "
                             f"it the kernel, stride and padding of '{source}', and '{source}' an input "
                             "whose size they divide")


def _names(names: Iterable[str]) -> str:
    return " or ".join(sorted(set(names))) or "layer"


def _label(network: Network, node_id: str) -> str:
    return f"{network.spec(node_id).display_name} '{network.name_of(node_id)}'"


def _network_errors(network: Network) -> list[Issue]:
    errors = []
    for role, what in (("input", "where data enters"), ("output", "the prediction and its loss")):
        name = " or ".join(spec.display_name for spec in specs_with_role(role))  # 'Input'
        found = network.nodes_with_role(role)
        if not found:
            errors.append(Issue(None, f"The network has no {name} layer ({what}); add one from the palette."))
        for extra in found[1:]:
            errors.append(Issue(extra, f"{name} '{network.name_of(extra)}': only one {name} layer is "
                                       f"supported; remove it or merge the branches before one {name}."))
    return errors


def _unused_layer_warnings(network: Network) -> list[Issue]:
    outputs = network.nodes_with_role("output")
    if not outputs:
        return []
    used = set(outputs).union(*(nx.ancestors(network.graph, o) for o in outputs))
    return [Issue(n, f"'{network.name_of(n)}' does not lead to the Output, so it is not part of the model.")
            for n in network.node_ids if n not in used]
