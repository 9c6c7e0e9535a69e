"""A small ResNet built from one basic-block definition, for the block tests."""

from __future__ import annotations

from engine.blocks.definition import BlockDefinition, BlockLibrary
from engine.graph import Network


def basic_block(library: BlockLibrary) -> BlockDefinition:
    """conv-bn-relu-conv-bn plus a shortcut (a 1×1 conv with the stride), then ReLU."""
    net = Network()
    net.library = library
    x = net.add_node("BlockInput", name="in")
    conv1 = net.add_node("Conv2d", {"filters": {"arg": "channels"}, "kernel": 3, "padding": 1,
                                    "stride": {"arg": "stride"}, "bias": False}, name="conv1")
    bn1 = net.add_node("BatchNorm2d", name="bn1")
    relu1 = net.add_node("ReLU", name="relu1")
    conv2 = net.add_node("Conv2d", {"filters": {"arg": "channels"}, "kernel": 3, "padding": 1, "bias": False},
                         name="conv2")
    bn2 = net.add_node("BatchNorm2d", name="bn2")
    short = net.add_node("Conv2d", {"filters": {"arg": "channels"}, "kernel": 1, "stride": {"arg": "stride"},
                                    "bias": False}, name="shortcut")
    add = net.add_node("Add", name="add")
    relu = net.add_node("ReLU", name="relu")
    out = net.add_node("BlockOutput", name="out")
    for a, b in ((x, conv1), (conv1, bn1), (bn1, relu1), (relu1, conv2), (conv2, bn2), (bn2, add),
                 (x, short), (short, add), (add, relu), (relu, out)):
        net.connect(a, b)
    definition = BlockDefinition("basic", net, {"channels": 8, "stride": 1})
    library.add(definition)
    return definition


def stage_block(library: BlockLibrary) -> BlockDefinition:
    """A stage: a basic block repeated `blocks` times, the first with stride 2, then a ReLU."""
    net = Network()
    net.library = library
    x = net.add_node("BlockInput", name="in")
    block = net.add_node("Block", {"definition": "basic", "args": {"channels": {"arg": "channels"}},
                                   "first_args": {"stride": 2}, "repeat": 2}, name="blocks")
    out = net.add_node("BlockOutput", name="out")
    net.connect(x, block)
    net.connect(block, out)
    definition = BlockDefinition("stage", net, {"channels": 16})
    library.add(definition)
    return definition


def small_resnet() -> Network:
    """Input 3×16×16, a stem conv, stage1 (basic ×2 at 8 channels), stage2 (a 'stage' of 16), pool, dense."""
    library = BlockLibrary()
    basic_block(library)
    stage_block(library)
    net = Network()
    net.library = library
    x = net.add_node("Input", {"shape": [3, 16, 16]}, name="x")
    stem = net.add_node("Conv2d", {"filters": 8, "kernel": 3, "padding": 1}, name="stem")
    stage1 = net.add_node("Block", {"definition": "basic", "args": {"channels": 8}, "repeat": 2}, name="stage1")
    stage2 = net.add_node("Block", {"definition": "stage", "args": {"channels": 16}}, name="stage2")
    pool = net.add_node("GlobalAvgPool", name="pool")
    flat = net.add_node("Flatten", name="flat")
    dense = net.add_node("Dense", {"units": 10}, name="fc")
    out = net.add_node("Output", name="out")
    for a, b in ((x, stem), (stem, stage1), (stage1, stage2), (stage2, pool), (pool, flat), (flat, dense),
                 (dense, out)):
        net.connect(a, b)
    return net
