"""Shapes and costs through a Block node: its definition is analysed once per repetition, with that
repetition's arguments and input shapes; an error inside is reported on the block, naming the inner
layer by its module path ('stage2.0.conv1')."""

from __future__ import annotations

import dataclasses

from engine.blocks.definition import BlockDefinition, BlockError, effective_args, resolve_params
from engine.graph import Network, module_name
from engine.layers import Shape
from engine.layers.blocks import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, PORT_TYPES
from engine.shapes import MAIN, Analysis, Context, NodeInfo, infer_shapes


def block_path(context: Context, name: str) -> str:
    """The module path of a block named `name` in this context ('stage2', or 'stage2.0.block1')."""
    own = module_name(name)
    return f"{context.path}.{own}" if context.path else own


def infer_block(network: Network, node_id: str, shapes: list[Shape], context: Context) -> NodeInfo:
    """The Block node's outputs (one per output port of its definition), parameters and MACs summed
    over its repetitions, and each repetition's inner analysis."""
    name = network.name_of(node_id)
    label = f"Block '{name}'"
    params = network.params_view(node_id)
    try:
        params = resolve_params(network.spec(node_id), params, context.args or {})  # a repeat may be an argument
        definition = _definition(network, params["definition"], context)
    except BlockError as error:
        return NodeInfo(error=f"{label}: {error}")
    inputs, outputs = definition.port_nodes(BLOCK_INPUT), definition.port_nodes(BLOCK_OUTPUT)
    repeat = params["repeat"]
    if not outputs:
        return NodeInfo(error=f"{label}: its definition '{definition.name}' has no Block output layer, so "
                              "nothing comes out of it; add one inside the block")
    if repeat > 1 and (len(inputs), len(outputs)) != (1, 1):
        return NodeInfo(error=f"{label}: it repeats {repeat} times, so its definition '{definition.name}' must "
                              f"have one input and one output (it has {len(inputs)} and {len(outputs)}); "
                              "set repeat to 1")
    base = block_path(context, name)
    current: list[Shape | None] = list(shapes)
    info = NodeInfo(inner_activations=0)
    for repetition in range(repeat):
        path = f"{base}.{repetition}" if repeat > 1 else base
        try:
            args = effective_args(definition, params, repetition, context.args)
        except BlockError as error:
            return NodeInfo(error=f"{label}: {error}", inner=info.inner)
        inner = Context(args=args, ports=dict(zip(inputs, current, strict=True)), path=path,
                        stack=(*context.stack, definition.name), memo=context.memo)
        analysis = _analysed(definition, inner)
        info.inner.append(analysis)
        if analysis.errors:
            where, message = _innermost(definition.network, analysis)
            return NodeInfo(error=f"{label}: at {where}: {message}", error_at=(where, message), inner=info.inner)
        current = [analysis.nodes[o].outputs.get(MAIN) for o in outputs]
        if any(shape is None for shape in current):  # an output port fed by a layer cut off from the inputs
            return NodeInfo(error=f"{label}: an output of '{definition.name}' has no shape", inner=info.inner)
        info.params += analysis.total_params
        info.macs += analysis.total_macs
        info.inner_activations += sum(i.activations for n, i in analysis.nodes.items()  # type: ignore[operator]
                                      if definition.network.graph.nodes[n]["type"] not in PORT_TYPES)
    info.outputs = {definition.network.name_of(o): shape for o, shape in zip(outputs, current, strict=True)}
    return info


def _analysed(definition: BlockDefinition, inner: Context) -> Analysis:
    """The definition's analysis in `inner`; one made before with the same arguments and input
    shapes is reused (with this instance's path) when the definition holds no blocks (a nested
    block's analysis would keep the other instance's path) and it found no errors (their messages
    name the path)."""
    memo = inner.memo
    if memo is None or definition.network.nodes_of_type(BLOCK):
        return infer_shapes(definition.network, inner)
    try:
        key = (definition.name, repr(sorted(inner.args.items())), tuple(inner.ports.items()))
        hash(key)
    except TypeError:  # an unhashable shape: analyse it again
        return infer_shapes(definition.network, inner)
    found = memo.get(key)
    if found is not None and found[0] is definition.network:
        return dataclasses.replace(found[1], path=inner.path)
    analysis = infer_shapes(definition.network, inner)
    if not analysis.errors:
        memo[key] = (definition.network, analysis)
    return analysis


def _definition(network: Network, name: str, context: Context) -> BlockDefinition:
    library = network.library
    if library is None or name not in library:
        raise BlockError(f"its definition '{name}' is missing from the block library; add it, or ungroup "
                         "or remove this block")
    if name in context.stack:
        chain = " › ".join((*context.stack[context.stack.index(name):], name))
        raise BlockError(f"block definition '{name}' contains itself ({chain}); a block cannot contain itself")
    return library.definition(name)


def _innermost(inner: Network, analysis: Analysis) -> tuple[str, str]:
    """The path and own message of the first error inside: a nested block's innermost layer's."""
    issue = analysis.errors[0]
    if issue.node is None:
        return analysis.path, issue.message
    info = analysis.nodes.get(issue.node)
    if info is not None and info.error_at is not None:
        return info.error_at
    return f"{analysis.path}.{module_name(inner.name_of(issue.node))}", issue.message


def port_mismatch(network: Network, node_id: str) -> str | None:
    """Why a Block node's wires do not fit its definition's ports (the definition lost or renamed a
    port since), or None (also when the definition is missing: inference says so)."""
    library = network.library
    definition = library.get(network.params_view(node_id)["definition"]) if library is not None else None
    if definition is None:
        return None
    sides = (("input", [e.target_port for e in network.in_edges(node_id)], definition.inputs),
             ("output", [e.source_port for e in network.out_edges(node_id)], definition.outputs))
    for side, wired, ports in sides:
        for port in wired:
            if port not in ports:
                return (f"it is wired to its {side} port '{port}', which its definition '{definition.name}' does "
                        f"not have (its {side}s: {', '.join(ports) or 'none'}); rewire it")
    return None


def analysis_inside(analysis: Analysis, chain: list[tuple[str, int]]) -> Analysis | None:
    """The analysis of the definition reached through `chain`: (Block node id, repetition) from the
    top level down, e.g. [(stage2, 0), (blocks, 1)] for 'stage2.blocks.1'; what an opened block
    shows (its inner layers' shapes and errors, with that instance's arguments). None where the
    shapes stop before it (an error earlier) or the chain does not lead to a block."""
    current: Analysis | None = analysis
    for node_id, repetition in chain:
        info = current.nodes.get(node_id) if current is not None else None
        if info is None or repetition >= len(info.inner):
            return None
        current = info.inner[repetition]
    return current
