"""Compile a Network into a torch.fx GraphModule, built directly (no tracing)."""

from __future__ import annotations

import keyword
import operator

import networkx as nx
import torch
from torch import fx, nn

from engine.blocks.definition import resolve_params
from engine.errors import LayerLabError
from engine.graph import Network, module_name, python_name
from engine.layers.blocks import BLOCK
from engine.layers.call import Call
from engine.shapes import Analysis, infer_shapes


class CompileError(LayerLabError):
    pass


def compile_network(network: Network, analysis: Analysis | None = None) -> fx.GraphModule:
    """Build the model. Submodules are named after the layers; `gm.code` is readable Python.

    `gm.meta["layerlab_nodes"]` maps each node id to its fx value's name (its submodule for
    layers with weights), for probes and exporters; `gm.meta["layerlab_calls"]` maps each
    submodule's name to the constructor call it was made from (code export writes it).
    """
    analysis = analysis or infer_shapes(network)
    if not analysis.ok:
        issues = analysis.blocking_issues
        listed = "\n".join(f"- {issue.message}" for issue in issues)
        raise CompileError(f"The network has {len(issues)} problem(s) to fix before it can be built:\n{listed}")
    (output_id,) = network.nodes_with_role("output")
    return build_module(network, analysis, network.nodes_with_role("input"), [output_id], "LayerLabModel")


def build_module(network: Network, analysis: Analysis, inputs: list[str], outputs: list[str],
                 class_name: str) -> fx.GraphModule:
    """The GraphModule of a network whose shapes are known: its forward takes the values of
    `inputs` (the Input layer, or a block's BlockInput layers in port order) and returns the values
    fed to `outputs` (one, or a tuple of several)."""
    needed = set(outputs).union(*(nx.ancestors(network.graph, o) for o in outputs))
    graph = fx.Graph()
    root: dict[str, nn.Module] = {}
    values: dict[tuple[str, str], fx.Node] = {}
    node_names: dict[str, str] = {}
    calls: dict[str, Call] = {}
    results: dict[str, fx.Node] = {}
    for node_id in inputs:
        values[(node_id, "out")] = graph.placeholder(_argument(network.name_of(node_id)))
        node_names[node_id] = values[(node_id, "out")].name
    for node_id in analysis.order:
        if node_id not in needed or node_id in inputs:
            continue
        spec, node = network.spec(node_id), network.node(node_id)
        in_edges = network.in_edges(node_id)
        args = tuple(values[(e.source, e.source_port)] for e in in_edges)
        if node_id in outputs:
            results[node_id] = args[0]
            node_names[node_id] = args[0].name
            continue
        target = _unique(module_name(node.name), root)
        if spec.type_id == BLOCK:  # a block: its definition's module, once per instance (engine.blocks)
            from engine.blocks.compile import block_module  # engine.blocks builds on this module
            root[target] = block_module(network, node_id, analysis.nodes[node_id])
            split, main = len(spec.outputs) > 1, spec.outputs[0]
        else:
            used = frozenset(e.source_port for e in network.out_edges(node_id) if e.target in needed)
            in_shapes = [analysis.edge_shape(e) for e in in_edges]
            params = resolve_params(spec, node.params, analysis.args) if analysis.path else node.params
            calls[target] = spec.call(params, in_shapes, used)
            root[target] = calls[target].make()
            split, main = bool(used - {"out"}), "out"
        call = graph.call_module(target, args)
        if split:
            for index, port in enumerate(spec.outputs):
                values[(node_id, port)] = graph.create_node("call_function", operator.getitem, (call, index),
                                                            name=f"{target}_{port}")
        else:
            values[(node_id, main)] = call
        node_names[node_id] = values.get((node_id, "out"), call).name
    found = [results[o] for o in outputs]
    graph.output(found[0] if len(found) == 1 else tuple(found))
    graph.lint()
    module = fx.GraphModule(root, graph, class_name=class_name)
    module.meta["layerlab_nodes"] = node_names
    module.meta["layerlab_calls"] = calls
    return module


# Names a submodule must not take: attributes of GraphModule (e.g. `code`, `graph`), keywords, and
# `self` (the generated forward's first argument).
_RESERVED = set(dir(fx.GraphModule)) | {"training", "graph", "meta", "code", "self"} | set(keyword.kwlist)


def _argument(name: str) -> str:
    """The forward argument named after the Input layer: an identifier, not a keyword nor `self`."""
    ident = python_name(name)
    return f"{ident}_" if keyword.iskeyword(ident) or ident == "self" else ident


def _unique(name: str, taken: dict) -> str:
    if name in _RESERVED:
        name = f"{name}_"
    candidate, i = name, 1
    while candidate in taken:
        i += 1
        candidate = f"{name}_{i}"
    return candidate


def example_input(network: Network, batch: int = 2, seed: int = 0) -> torch.Tensor:
    """A random batch shaped like the network's Input, for checks and exports."""
    analysis = infer_shapes(network)
    (input_id,) = network.nodes_with_role("input")
    shape = analysis.nodes[input_id].output_shape
    generator = torch.Generator().manual_seed(seed)
    return torch.randn((batch, *shape), generator=generator)  # type: ignore[misc]
