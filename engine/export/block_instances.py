"""What the `python` export needs to know of each block instance in a compiled model: its
definition's argument values, its layers' constructor values, and which of them its arguments or
its input shapes drive (found by analysing the definition again with one argument, or the input
shapes, changed). engine.export.block_classes writes a class per definition from them.

A value is keyed `(member, constructor parameter)` for a layer and `(member, repetition, extra
parameter)` for a nested block's extra constructor parameter (block_classes.py)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from torch import fx

from engine.blocks.definition import BlockDefinition, resolve_params
from engine.compiler import _unique
from engine.errors import ParamError
from engine.graph import Network, module_name
from engine.layers.blocks import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT
from engine.layers.call import Call, same_value
from engine.layers.spec import arg_ref
from engine.shapes import MAIN, Analysis, Context, infer_shapes

Key = tuple
Sources = dict[str, dict[str, Key]]
"""Per definition: each extra parameter of its class and the value it stands for (a key)."""


@dataclass
class Instance:
    """One compiled instance of a definition (or, with `definition` None, the model itself)."""

    definition: BlockDefinition | None
    network: Network
    analysis: Analysis
    module: fx.GraphModule
    members: list[tuple[str, str]] = field(default_factory=list)
    """(submodule name, node id), in the order the compiler made them."""
    calls: dict[str, Call] = field(default_factory=dict)
    blocks: dict[str, list[Instance]] = field(default_factory=dict)
    """Per nested block: the instance of each repetition."""
    values: dict[Key, Any] = field(default_factory=dict)
    drivers: dict[Key, str | None] = field(default_factory=dict)
    """The argument that drives a value it equals; None for a value an argument changes otherwise."""
    moved: dict[Key, Any] = field(default_factory=dict)
    """The values with every size of its input shapes one larger."""
    from_inputs: set[Key] = field(default_factory=set)
    """The values its input shapes drive (those that moved)."""

    @property
    def args(self) -> dict[str, Any]:
        return self.analysis.args


def collect(network: Network, model: fx.GraphModule) -> Instance:
    """The model as an Instance tree (compiled from `network`, whose shapes are known)."""
    return _instance(None, network, infer_shapes(network), model)


def walk(instance: Instance) -> list[Instance]:
    """Every instance inside `instance`, those nested deeper before those holding them."""
    found: list[Instance] = []
    for reps in instance.blocks.values():
        for rep in reps:
            found.extend(walk(rep))
            found.append(rep)
    return found


def signature_names(target: type) -> list[str]:
    """A module class's constructor parameters (positional order, `self` left out)."""
    return [p for p in inspect.signature(target.__init__).parameters if p != "self"]


def call_slots(call: Call) -> dict[str, Any]:
    """A constructor call's values by parameter name, positional ones first."""
    return {**dict(zip(signature_names(call.target), call.args, strict=False)), **call.kwargs}


def measure(instance: Instance, sources: Sources) -> None:
    """Fill in the instance's values, and which of them its arguments and input shapes drive."""
    definition, analysis = instance.definition, instance.analysis
    assert definition is not None
    instance.values = slot_values(definition.network, definition, analysis, sources)
    ports = {p: analysis.nodes[p].outputs[MAIN] for p in definition.port_nodes(BLOCK_INPUT)}
    for arg, value in instance.args.items():
        for other in _other_values(value, _choices(definition, arg)):
            try:
                again = _analyse(definition, {**instance.args, arg: other}, ports, analysis.path)
            except ParamError:  # not a value the argument may take (a kernel of 0)
                continue
            for key in _changed(instance.values, slot_values(definition.network, definition, again, sources)):
                equal = same_value(instance.values[key], value) and instance.drivers.get(key, arg) == arg
                instance.drivers[key] = arg if equal else None
            if not again.errors:
                break
    bigger = {p: tuple(size + 1 for size in shape) for p, shape in ports.items()}
    again = _analyse(definition, instance.args, bigger, analysis.path)
    instance.moved = slot_values(definition.network, definition, again, sources)
    instance.from_inputs = _changed(instance.values, instance.moved)


def slot_values(network: Network, definition: BlockDefinition | None, analysis: Analysis,
                sources: Sources) -> dict[Key, Any]:
    """The constructor values of the layers and nested blocks of a definition's network (or of the
    model's, with `definition` None) under `analysis`; those it could not find are left out."""
    found: dict[Key, Any] = {}
    inputs, outputs = _ports(definition, network)
    needed = _needed(network, outputs)
    for target, node_id in _members(network, analysis, inputs, outputs):
        info = analysis.nodes.get(node_id)
        if info is None or info.error:
            continue
        if network.graph.nodes[node_id]["type"] == BLOCK:
            inner = network.library.definition(network.params_view(node_id)["definition"])  # type: ignore[union-attr]
            wanted = sources.get(inner.name, {})
            for rep, inner_analysis in enumerate(info.inner):
                values = slot_values(inner.network, inner, inner_analysis, sources) if wanted else {}
                found.update({(target, rep, e): values[k] for e, k in wanted.items() if k in values})
            continue
        try:
            found.update({(target, s): v for s, v in call_slots(_call(network, analysis, node_id, needed)).items()})
        except Exception:  # a layer the changed values do not fit: its values are unknown
            continue
    return found


def _instance(definition: BlockDefinition | None, network: Network, analysis: Analysis,
              module: fx.GraphModule) -> Instance:
    instance = Instance(definition, network, analysis, module)
    instance.members = _members(network, analysis, *_ports(definition, network))
    for target, node_id in instance.members:
        if network.graph.nodes[node_id]["type"] != BLOCK:
            instance.calls[target] = module.meta["layerlab_calls"][target]
            continue
        assert network.library is not None
        inner = network.library.definition(network.params_view(node_id)["definition"])
        analyses = analysis.nodes[node_id].inner
        sub = module.get_submodule(target)
        modules = [sub] if len(analyses) == 1 else list(sub)  # type: ignore[call-overload]
        instance.blocks[target] = [_instance(inner, inner.network, a, m)
                                   for a, m in zip(analyses, modules, strict=True)]
    return instance


def _ports(definition: BlockDefinition | None, network: Network) -> tuple[list[str], list[str]]:
    if definition is None:
        return network.nodes_with_role("input"), network.nodes_with_role("output")
    return definition.port_nodes(BLOCK_INPUT), definition.port_nodes(BLOCK_OUTPUT)


def _members(network: Network, analysis: Analysis, inputs: list[str], outputs: list[str]) -> list[tuple[str, str]]:
    """The submodules as the compiler names them: (name, node id)."""
    needed = _needed(network, outputs)
    taken: dict[str, bool] = {}
    found = []
    for node_id in analysis.order:
        if node_id in needed and node_id not in inputs and node_id not in outputs:
            target = _unique(module_name(network.name_of(node_id)), taken)
            taken[target] = True
            found.append((target, node_id))
    return found


def _needed(network: Network, outputs: list[str]) -> set[str]:
    return set(outputs).union(*(nx.ancestors(network.graph, o) for o in outputs))


def _call(network: Network, analysis: Analysis, node_id: str, needed: set[str]) -> Call:
    """The layer's constructor call, made as the compiler makes it."""
    spec = network.spec(node_id)
    in_shapes = [analysis.edge_shape(e) for e in network.in_edges(node_id)]
    if any(shape is None for shape in in_shapes):
        raise ValueError("an input shape is unknown")
    used = frozenset(e.source_port for e in network.out_edges(node_id) if e.target in needed)
    return spec.call(resolve_params(spec, network.params_view(node_id), analysis.args), in_shapes, used)


def _analyse(definition: BlockDefinition, args: dict[str, Any], ports: dict[str, Any], path: str) -> Analysis:
    return infer_shapes(definition.network, Context(args=args, ports=ports, path=path, stack=(definition.name,)))


def _changed(base: dict[Key, Any], other: dict[Key, Any]) -> set[Key]:
    return {k for k, v in base.items() if k in other and not (same_value(other[k], v) and type(other[k]) is type(v))}


def _choices(definition: BlockDefinition, arg: str) -> tuple[str, ...]:
    """The choices of a parameter that refers to the argument (for a text argument)."""
    net = definition.network
    for node_id in net.node_ids:
        spec = net.spec(node_id)
        for name, value in net.params_view(node_id).items():
            if arg_ref(value) == arg and spec.param(name).choices:
                return spec.param(name).choices
    return ()


def _other_values(value: Any, choices: tuple[str, ...]) -> list[Any]:
    """Values to try in place of an argument's, to see what it changes."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [value * 0.5 + 0.25, value + 1.0]
    if isinstance(value, (list, tuple)):
        return [tuple(v + 1 for v in value), tuple(v - 1 for v in value)]
    if isinstance(value, str):
        return [choice for choice in choices if choice != value][:1]
    return []
