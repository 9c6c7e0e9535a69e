"""Module paths of inner layers in a compiled model with blocks."""

from __future__ import annotations

from engine.blocks.infer import analysis_inside
from engine.blocks.paths import layer_places
from engine.compiler import compile_network
from engine.shapes import infer_shapes
from tests.engine.blocks.resnet import small_resnet


def test_every_inner_layer_has_its_module_path_and_node_chain() -> None:
    net = small_resnet()
    model = compile_network(net)
    places = {place.path: place for place in layer_places(model)}
    for path in places:
        model.get_submodule(path)  # each path names a real module
    leaves = {name for name, module in model.named_modules() if not list(module.children())}
    assert leaves <= set(places)
    basic = net.library.definition("basic").network
    stage = net.library.definition("stage").network
    conv1 = places["stage1.1.conv1"]
    assert conv1.nodes == (net.find("stage1"), basic.find("conv1"))
    assert conv1.repetitions == (1,) and conv1.definition == "basic" and not conv1.is_block
    deep = places["stage2.blocks.0.shortcut"]
    assert deep.nodes == (net.find("stage2"), stage.find("blocks"), basic.find("shortcut"))
    assert deep.repetitions == (0, 0)
    assert places["stage2"].is_block and places["stage2.blocks"].is_block and places["stem"].definition is None


def test_the_analysis_inside_an_opened_block_has_that_instances_shapes() -> None:
    net = small_resnet()
    analysis = infer_shapes(net)
    stage = net.library.definition("stage").network
    basic = net.library.definition("basic").network
    first = analysis_inside(analysis, [(net.find("stage2"), 0), (stage.find("blocks"), 0)])
    second = analysis_inside(analysis, [(net.find("stage2"), 0), (stage.find("blocks"), 1)])
    assert first.path == "stage2.blocks.0" and first.args == {"channels": 16, "stride": 2}
    assert first.nodes[basic.find("conv1")].output_shape == (16, 8, 8)
    assert second.args["stride"] == 1 and second.nodes[basic.find("in")].output_shape == (16, 8, 8)
    assert analysis_inside(analysis, [(net.find("stage1"), 2)]) is None
    assert analysis_inside(analysis, []) is analysis
