"""Cut a compiled model at one layer: the encoder (input -> that layer) and the decoder
(that layer -> output). Used to interpolate between codes of an autoencoder."""

from __future__ import annotations

from torch import fx

from engine.errors import LayerLabError


class SplitError(LayerLabError):
    pass


def split_at(model: fx.GraphModule, value_name: str) -> tuple[fx.GraphModule, fx.GraphModule]:
    """Return (encoder, decoder) sharing `model`'s submodules (and so its weights).

    The cut must be a bottleneck: every path from the input to the output passes through it.
    """
    nodes = {node.name: node for node in model.graph.nodes}
    if value_name not in nodes:
        raise SplitError(f"The model has no value named '{value_name}'.")
    cut = nodes[value_name]
    order = list(model.graph.nodes)
    position = order.index(cut)
    before = set(order[:position + 1])
    output = next(n for n in order if n.op == "output")

    encoder = fx.Graph()
    copied: dict[fx.Node, fx.Node] = {}
    for node in order[:position + 1]:
        copied[node] = encoder.node_copy(node, lambda n: copied[n])
    encoder.output(copied[cut])

    decoder = fx.Graph()
    remapped: dict[fx.Node, fx.Node] = {cut: decoder.placeholder("code")}
    for node in order[position + 1:]:
        if node.op == "output":
            continue
        for used in node.all_input_nodes:
            if used in before and used is not cut:
                raise SplitError(f"'{node.name}' also uses '{used.name}', which comes before '{value_name}'; "
                                 "pick a layer every path goes through (a bottleneck).")
        remapped[node] = decoder.node_copy(node, lambda n: remapped[n])
    result = output.args[0]
    decoder.output(remapped[result] if result in remapped else remapped[cut])
    return fx.GraphModule(model, encoder, "Encoder"), fx.GraphModule(model, decoder, "Decoder")
