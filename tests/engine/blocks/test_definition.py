"""Block definitions, the library, instance ports and argument references."""

from __future__ import annotations

import pytest

from engine.blocks.definition import BlockDefinition, BlockError, BlockLibrary, effective_args, resolve_params
from engine.errors import ParamError, UnknownPortError
from engine.graph import Network
from engine.layers import SPECS, get_spec


def _conv_block(library: BlockLibrary, name: str = "cbr") -> BlockDefinition:
    inner = Network()
    port_in = inner.add_node("BlockInput", name="in")
    conv = inner.add_node("Conv2d", {"filters": {"arg": "channels"}, "kernel": 3, "padding": 1,
                                     "stride": {"arg": "stride"}}, name="conv")
    port_out = inner.add_node("BlockOutput", name="out")
    inner.connect(port_in, conv)
    inner.connect(conv, port_out)
    definition = BlockDefinition(name, inner, {"channels": 8, "stride": 1})
    library.add(definition)
    return definition


def test_block_types_are_found_but_not_in_the_palette() -> None:
    assert get_spec("Block").type_id == "Block"
    assert not {"Block", "BlockInput", "BlockOutput"} & set(SPECS)


def test_an_instance_has_its_definitions_ports() -> None:
    library = BlockLibrary()
    _conv_block(library)
    net = Network()
    net.library = library
    x = net.add_node("Input", {"shape": [3, 8, 8]})
    block = net.add_node("Block", {"definition": "cbr", "args": {"channels": 4}, "repeat": 2})
    net.connect(x, block)
    assert [p.name for p in net.spec(block).inputs] == ["in"] and net.spec(block).outputs == ("out",)
    with pytest.raises(UnknownPortError, match="input ports: in"):
        net.connect(x, block, "out", "other")


def test_argument_references_are_kept_and_resolved() -> None:
    library = BlockLibrary()
    definition = _conv_block(library)
    conv = definition.network.find("conv")
    assert definition.referenced_args() == {"channels", "stride"}
    spec = definition.network.spec(conv)
    args = effective_args(definition, {"args": {"channels": 16}, "first_args": {"stride": 2}}, 0)
    assert args == {"channels": 16, "stride": 2}
    assert effective_args(definition, {"args": {"channels": 16}, "first_args": {"stride": 2}}, 1)["stride"] == 1
    resolved = resolve_params(spec, definition.network.params_view(conv), args)
    assert resolved["filters"] == 16 and resolved["stride"] == (2, 2)
    with pytest.raises(BlockError, match="'filters' refers to the block argument 'channels'"):
        resolve_params(spec, definition.network.params_view(conv), {})
    with pytest.raises(BlockError, match="has no argument 'chanels'"):
        effective_args(definition, {"args": {"chanels": 3}}, 0)
    with pytest.raises(ParamError, match="identifier"):
        definition.network.set_param(conv, "filters", {"arg": "two words"})


def test_recursion_is_found() -> None:
    library = BlockLibrary()
    a, b = Network(), Network()
    a.add_node("Block", {"definition": "b"})
    b.add_node("Block", {"definition": "a"})
    library.add(BlockDefinition("a", a))
    library.add(BlockDefinition("b", b))
    library.add(BlockDefinition("c", Network()))
    assert library.recursion("a") == ["a", "b", "a"]
    assert library.recursion("c") is None
    with pytest.raises(BlockError, match="already has"):
        library.add(BlockDefinition("c", Network()))


def test_the_architecture_of_a_network_covers_its_blocks_definitions() -> None:
    from tests.engine.blocks.resnet import small_resnet

    net = small_resnet()
    before = net.architecture()
    basic = net.library.definition("basic")
    basic.network.set_param(basic.network.find("conv1"), "kernel", 5)  # the weights of stage1 and stage2 change
    assert net.architecture() != before
    basic.network.set_param(basic.network.find("conv1"), "kernel", 3)
    assert net.architecture() == before
    basic.args["channels"] = 4
    assert net.architecture() != before
