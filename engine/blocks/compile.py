"""Blocks as PyTorch modules: each instance of a definition becomes one GraphModule built from the
definition with that instance's arguments (an nn.Sequential of them when it repeats), so that
state_dict keys read like torchvision's: `stage1.0.conv1.weight`."""

from __future__ import annotations

from torch import fx, nn

from engine.graph import Network
from engine.layers.blocks import BLOCK_INPUT, BLOCK_OUTPUT
from engine.shapes import NodeInfo


def class_name(definition: str) -> str:
    """'basic' -> 'Basic'; 'conv bn relu' -> 'ConvBnRelu' (the generated module class's name)."""
    words = "".join(c if c.isalnum() else " " for c in definition).split()
    name = "".join(w[0].upper() + w[1:] for w in words) or "Block"
    return name if not name[0].isdigit() else f"Block{name}"


def block_module(network: Network, node_id: str, info: NodeInfo) -> nn.Module:
    """The module of the Block node `node_id`, from its (error-free) analysis `info`."""
    from engine.compiler import build_module  # the compiler calls this module

    library = network.library
    assert library is not None and info.inner, "a block is compiled only after its shapes are known"
    definition = library.definition(network.params_view(node_id)["definition"])
    inner = definition.network
    inputs, outputs = definition.port_nodes(BLOCK_INPUT), definition.port_nodes(BLOCK_OUTPUT)
    modules: list[fx.GraphModule] = [build_module(inner, analysis, inputs, outputs, class_name(definition.name))
                                     for analysis in info.inner]
    for module in modules:
        module.meta["layerlab_block"] = definition.name
    return modules[0] if len(modules) == 1 else nn.Sequential(*modules)
