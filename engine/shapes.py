"""Shape inference and cost summary: every node's output shape, parameters, activation size and
multiply-accumulates, with each error attached to the node (and wires) that cause it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from engine.blocks.definition import BlockError, resolve_params
from engine.errors import ShapeError
from engine.graph import Edge, Network
from engine.layers import SPECS, Shape, specs_with_role
from engine.layers.blocks import BLOCK, BLOCK_INPUT
from engine.layers.geometry import fmt, numel
from engine.layers.registry import STRUCTURAL

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
    inner: list[Analysis] = field(default_factory=list)
    """A Block node's: the analysis of its definition for each repetition (with its arguments)."""
    error_at: tuple[str, str] | None = None
    """A Block node's error: the inner layer's path ('stage2.0.conv1') and that layer's own message."""
    inner_activations: int | None = None
    """A Block node's: the values its inner layers output (else the output shape's count)."""

    @property
    def output_shape(self) -> Shape | None:
        return self.outputs.get("out")

    @property
    def activations(self) -> int:
        if self.inner_activations is not None:
            return self.inner_activations
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
    args: dict[str, Any] = field(default_factory=dict)
    """Inside a block: the argument values this analysis of its definition was made with."""
    path: str = ""
    """Inside a block: where, as a module path ('stage2.0'); empty at the top level."""

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


@dataclass(frozen=True)
class Context:
    """Where an analysis runs: at the top level (the defaults) or inside a block, with the block's
    argument values, its input ports' shapes (port node id -> shape), its path and the definitions
    it is nested in (to refuse a block that contains itself)."""

    args: dict[str, Any] | None = None
    ports: dict[str, Shape] | None = None
    path: str = ""
    stack: tuple[str, ...] = ()
    memo: dict | None = field(default=None, compare=False)
    """Analyses of block definitions already made in this inference, by definition, arguments and
    input shapes: 50 instances of one block with the same inputs are analysed once."""


TOP = Context()


def infer_shapes(network: Network, context: Context = TOP) -> Analysis:
    """Infer shapes and costs for every node, in topological order (through blocks, engine.blocks)."""
    if context.memo is None:
        context = dataclasses.replace(context, memo={})
    order = network.topological_order()
    nodes: dict[str, NodeInfo] = {}
    errors: list[Issue] = []
    for node_id in order:
        info = _infer_node(network, node_id, nodes, context)
        nodes[node_id] = info
        if info.error:
            errors.append(Issue(node_id, info.error, tuple(network.in_edges(node_id))))
    inside = context.ports is not None
    if order and not inside:  # an empty network is not wrong, only empty (Analysis.hint)
        errors.extend(_network_errors(network))
    warnings = [] if inside else _unused_layer_warnings(network)
    return Analysis(nodes, order, errors, warnings, dict(context.args or {}), context.path)


def _infer_node(network: Network, node_id: str, known: dict[str, NodeInfo], context: Context) -> NodeInfo:
    spec = network.spec(node_id)
    in_edges = network.in_edges(node_id)
    if spec.type_id == BLOCK:
        from engine.blocks.infer import port_mismatch  # engine.blocks builds on this module
        mismatch = port_mismatch(network, node_id)
        if mismatch:
            return NodeInfo(error=f"{_label(network, node_id)}: {mismatch}")
    connected = {e.target_port for e in in_edges}
    for port in spec.inputs:
        if port.name not in connected:
            return NodeInfo(error=f"{_label(network, node_id)}: its '{port.name}' input is not connected; "
                                  "wire a layer's output to it")
    shapes = [known[e.source].outputs.get(e.source_port) for e in in_edges]
    if any(shape is None for shape in shapes):
        return NodeInfo()  # an upstream layer has the error; do not repeat it here
    type_id = spec.type_id
    if context.ports is not None and spec.role in ("input", "output"):
        return NodeInfo(error=f"{_label(network, node_id)}: the network's {spec.role} belongs at the top level, "
                              f"not inside a block; use a Block {spec.role} layer here")
    if type_id in STRUCTURAL:
        if type_id == BLOCK:
            from engine.blocks.infer import infer_block  # engine.blocks builds on this module
            return infer_block(network, node_id, shapes, context)  # type: ignore[arg-type]
        if type_id == BLOCK_INPUT and context.ports is not None:
            return NodeInfo(outputs={MAIN: context.ports[node_id]})
    params = network.params_view(node_id)
    try:
        if context.args is not None or any(type(v) is dict for v in params.values()):
            params = resolve_params(spec, params, context.args or {})
        _check_wires(network, in_edges)
        cost = spec.infer(params, shapes)  # type: ignore[arg-type]
        _check_outputs(cost.outputs)
        _check_undoes(network, in_edges, cost.outputs, known)
    except (ShapeError, BlockError) as error:
        return NodeInfo(error=f"{_label(network, node_id)}: {error}")
    return NodeInfo(outputs=dict(cost.outputs), params=cost.params, macs=cost.macs)


def _check_wires(network: Network, in_edges: list[Edge]) -> None:
    """A layer's extra outputs (a max-pool's 'indices') are not values: each feeds only an input of
    its own name (a max-unpool's 'indices'), and such an input takes only an output of that name."""
    for edge in in_edges:
        if edge.source_port == edge.target_port or (edge.source_port, edge.target_port) == (MAIN, MAIN_INPUT):
            continue
        if network.graph.nodes[edge.source]["type"] == BLOCK:  # a block's outputs are all values
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
