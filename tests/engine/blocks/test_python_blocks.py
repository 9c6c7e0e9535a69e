"""The `python` export of a model with blocks: one readable nn.Module class per block definition,
built from the definition's arguments; the file runs without LayerLab, takes the compiled model's
state dict with identical keys, and computes the same."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

from engine.blocks.builtin import add_builtin
from engine.blocks.definition import BlockDefinition, BlockLibrary
from engine.compiler import compile_network
from engine.export import ExportError, export, source_from_project
from engine.export.python_code import import_file
from engine.graph import Network
from engine.project import Project
from tests.engine.blocks.resnet import small_resnet
from tests.engine.export.conftest import run_without_layerlab

_CHECK = """
import sys, torch
sys.path.insert(0, ".")
from model import Model
data = torch.load("probe.pt", weights_only=True)
model = Model()
assert list(model.state_dict()) == data["keys"], "state dict keys differ"
model.load_state_dict(data["weights"])
with torch.no_grad():
    diff = (model.eval()(data["x"]) - data["y"]).abs().max().item()
assert "engine" not in sys.modules
print(f"max_abs_diff={diff}")
"""


def builtin_network(shape: tuple[int, ...] = (3, 16, 16)) -> Network:
    """Nested built-in blocks: conv_bn_relu, two resnet_stages (resnet_down, then resnet_basic
    repeated `more` times: 2, then 1, which is not wrapped), a vgg_stage (conv_relu repeated `convs`
    times), a dense head."""
    net = Network()
    for name in ("conv_bn_relu", "resnet_stage", "vgg_stage"):
        net, _ = add_builtin(net, name)
    layers = [("Input", {"shape": list(shape)}, "x"),
              ("Block", {"definition": "conv_bn_relu", "args": {"channels": 16}}, "stem"),
              ("Block", {"definition": "resnet_stage", "args": {"channels": 32, "more": 2}}, "stage1"),
              ("Block", {"definition": "resnet_stage", "args": {"channels": 48, "stride": 1, "more": 1}}, "stage2"),
              ("Block", {"definition": "vgg_stage", "args": {"channels": 24, "convs": 3}}, "vgg"),
              ("GlobalAvgPool", {}, "pool"), ("Flatten", {}, "flat"), ("Dense", {"units": 10}, "fc"),
              ("Output", {}, "out")]
    last = None
    for type_id, params, name in layers:
        node = net.add_node(type_id, params, name=name)
        if last is not None:
            net.connect(last, node)
        last = node
    return net


def _export(network: Network, tmp_path: Path, name: str = "model") -> tuple[str, object]:
    source = source_from_project(Project(network, name))
    result = export(source, "python", tmp_path / f"{name}.py")
    assert result.max_abs_diff is not None and result.max_abs_diff < 1e-5
    return (tmp_path / f"{name}.py").read_text(), source


def _classes(text: str) -> list[str]:
    return [node.name for node in ast.parse(text).body if isinstance(node, ast.ClassDef)]


@pytest.mark.parametrize("network", [small_resnet, builtin_network], ids=["small_resnet", "builtin"])
def test_runs_without_layerlab_with_the_same_keys_and_outputs(network, tmp_path) -> None:
    _, source = _export(network(), tmp_path)
    x = source.probe(4)
    with torch.no_grad():
        torch.save({"x": x, "y": source.model(x), "weights": source.state_dict(),
                    "keys": list(source.model.state_dict())}, tmp_path / "probe.pt")
    (tmp_path / "check.py").write_text(_CHECK)
    demo = run_without_layerlab(tmp_path / "model.py", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    check = run_without_layerlab(tmp_path / "check.py", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert float(check.stdout.strip().split("=")[1]) < 1e-5


def test_one_class_per_definition_built_from_its_arguments(tmp_path) -> None:
    text, _ = _export(small_resnet(), tmp_path)
    assert _classes(text) == ["Add", "GlobalAvgPool2d", "Basic", "Stage", "Model"]
    assert "def __init__(self, in_channels: int, channels: int = 8, stride: int = 1) -> None:" in text
    assert ("self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=(3, 3), stride=stride, padding=(1, 1), "
            "bias=False)") in text
    assert "self.bn1 = nn.BatchNorm2d(channels)" in text
    assert "self.conv2 = nn.Conv2d(channels, channels, kernel_size=(3, 3), padding=(1, 1), bias=False)" in text
    # repeat 2 with first_args {stride: 2}: the first repetition takes the stage's input channels
    assert "Basic(in_channels=in_channels, channels=channels, stride=2),\n" in text
    assert "Basic(in_channels=channels, channels=channels),\n" in text
    assert "self.stage1 = nn.Sequential(Basic(in_channels=8, channels=8), Basic(in_channels=8, channels=8))" in text
    assert "self.stage2 = Stage(in_channels=8, channels=16)" in text
    assert "x = self.add(bn2, x)" in text  # the block's forward is written like the model's


def test_nested_builtin_blocks_and_a_repeat_given_by_an_argument(tmp_path) -> None:
    text, source = _export(builtin_network(), tmp_path)
    classes = _classes(text)
    for inner, outer in (("ResnetDown", "ResnetStage"), ("ResnetBasic", "ResnetStage"), ("ConvRelu", "VggStage")):
        assert classes.index(inner) < classes.index(outer)
    assert "def __init__(self, in_channels: int, channels: int = 128, stride: int = 2, more: int = 1)" in text
    assert "self.down = ResnetDown(in_channels=in_channels, channels=channels, stride=stride)" in text
    assert "self.blocks = repeated(more, lambda i: ResnetBasic(in_channels=channels, channels=channels))" in text
    assert "ConvRelu(in_channels=in_channels, channels=channels) if i == 0" in text
    assert "self.conv = nn.Conv2d(in_channels, channels, kernel_size=kernel, stride=stride, padding=padding" in text
    assert "self.bn = nn.BatchNorm2d(channels)" in text  # driven by `channels` through the conv's shape
    assert "self.stage2 = ResnetStage(in_channels=32, channels=48, stride=1, more=1)" in text
    keys = list(source.model.state_dict())
    assert "stage1.blocks.1.conv1.weight" in keys and "stage2.blocks.conv1.weight" in keys  # more=1: not wrapped


def test_a_class_built_with_other_arguments_matches_layerlab(tmp_path) -> None:
    """The classes follow their arguments, not only this model's values: VggStage with other
    arguments has the weights LayerLab gives the same block."""
    text, _ = _export(builtin_network(), tmp_path)
    module = import_file(tmp_path / "model.py", "layerlab_test_blocks")
    mine = module.VggStage(in_channels=5, channels=7, convs=4)
    net = Network()
    net, _ = add_builtin(net, "vgg_stage")
    x = net.add_node("Input", {"shape": [5, 8, 8]}, name="x")
    block = net.add_node("Block", {"definition": "vgg_stage", "args": {"channels": 7, "convs": 4}}, name="vgg")
    out = net.add_node("Output", name="out")
    net.connect(x, block)
    net.connect(block, out)
    theirs = compile_network(net).vgg
    assert {k: v.shape for k, v in mine.state_dict().items()} == {k: v.shape for k, v in theirs.state_dict().items()}
    mine.load_state_dict(theirs.state_dict())
    data = torch.randn(2, 5, 8, 8)
    assert (mine(data) - theirs(data)).abs().max().item() < 1e-6


def test_a_block_with_two_outputs(tmp_path) -> None:
    inner = Network()
    library = BlockLibrary()
    inner.library = library
    port = inner.add_node("BlockInput", name="in")
    conv = inner.add_node("Conv2d", {"filters": {"arg": "channels"}, "kernel": 3, "padding": 1}, name="conv")
    relu = inner.add_node("ReLU", name="relu")
    first, second = (inner.add_node("BlockOutput", {"index": i}, name=n) for i, n in enumerate(("raw", "act")))
    for a, b in ((port, conv), (conv, first), (conv, relu), (relu, second)):
        inner.connect(a, b)
    library.add(BlockDefinition("split", inner, {"channels": 4}))
    net = Network()
    net.library = library
    x = net.add_node("Input", {"shape": [2, 6, 6]}, name="x")
    block = net.add_node("Block", {"definition": "split", "args": {"channels": 5}}, name="pair")
    add = net.add_node("Add", name="sum")
    out = net.add_node("Output", name="out")
    net.connect(x, block)
    net.connect(block, add, "raw")
    net.connect(block, add, "act")
    net.connect(add, out)
    text, _ = _export(net, tmp_path)
    assert "def __init__(self, in_channels: int, channels: int = 4) -> None:" in text
    assert "torch.Tensor) -> tuple[torch.Tensor, ...]:\n        conv = self.conv(" in text
    assert "return conv, x" in text
    assert "x, pair_act = self.pair(x)" in text


def test_class_names_stay_distinct(tmp_path) -> None:
    text, _ = _export(small_resnet(), tmp_path, "basic")  # the model's class is called Basic
    assert _classes(text) == ["Add", "GlobalAvgPool2d", "BasicBlock", "Stage", "Basic"]
    assert "BasicBlock(in_channels=8, channels=8)" in text and "class BasicBlock(nn.Module):" in text


def test_an_argument_the_code_needs_for_itself_is_named(tmp_path) -> None:
    network = small_resnet()
    network.library.definition("basic").args["nn"] = 1
    with pytest.raises(ExportError, match="block definition 'basic' has an argument named 'nn'"):
        export(source_from_project(Project(network, "m")), "python", tmp_path / "m.py")


def _chain(net: Network, start: str, layers: list[tuple[str, dict, str]]) -> str:
    for type_id, params, name in layers:
        node = net.add_node(type_id, params, name=name)
        net.connect(start, node)
        start = node
    return start


def test_values_of_one_quantity_share_a_parameter(tmp_path) -> None:
    """A pre-activation block's BatchNorm and conv both take the input channels (one parameter); a
    head's Dense takes what its Flatten gives (its own); a float argument drives Dropout."""
    library = BlockLibrary()
    pre = Network()
    pre.library = library
    _chain(pre, pre.add_node("BlockInput", name="in"), [
        ("BatchNorm2d", {}, "bn"), ("ReLU", {}, "relu"),
        ("Conv2d", {"filters": {"arg": "width"}, "kernel": 3, "padding": 1}, "conv"), ("BlockOutput", {}, "out")])
    library.add(BlockDefinition("pre", pre, {"width": 8}))
    head = Network()
    head.library = library
    _chain(head, head.add_node("BlockInput", name="in"), [
        ("Flatten", {}, "flat"), ("Dense", {"units": {"arg": "units"}}, "fc"), ("ReLU", {}, "act"),
        ("Dropout", {"p": {"arg": "rate"}}, "drop"), ("BlockOutput", {}, "out")])
    library.add(BlockDefinition("head", head, {"units": 32, "rate": 0.25}))
    net = Network()
    net.library = library
    _chain(net, net.add_node("Input", {"shape": [3, 8, 8]}, name="x"), [
        ("Block", {"definition": "pre", "args": {"width": 6}}, "p1"),
        ("Block", {"definition": "pre", "args": {"width": 10}}, "p2"),
        ("Block", {"definition": "head", "args": {"units": 20}}, "h1"),
        ("Block", {"definition": "head", "args": {"units": 7, "rate": 0.5}}, "h2"), ("Output", {}, "out")])
    text, _ = _export(net, tmp_path)
    assert "def __init__(self, num_features: int, width: int = 8) -> None:" in text
    assert "self.conv = nn.Conv2d(num_features, width, kernel_size=(3, 3), padding=(1, 1))" in text
    assert "def __init__(self, in_features: int, units: int = 32, rate: float = 0.25) -> None:" in text
    assert "self.fc = nn.Linear(in_features, units)" in text and "self.drop = nn.Dropout(rate)" in text
    assert "self.p2 = Pre(num_features=6, width=10)" in text
    assert "self.h1 = Head(in_features=640, units=20)" in text
    assert "self.h2 = Head(in_features=20, units=7, rate=0.5)" in text


def test_a_long_fixed_repeat_is_written_as_a_loop(tmp_path) -> None:
    network = small_resnet()
    ids = {network.name_of(n): n for n in network.node_ids}
    network.set_param(ids["stage1"], "repeat", 5)
    for name, value in (("definition", "basic"), ("args", {"channels": 16}), ("first_args", {"stride": 2}),
                        ("repeat", 5)):
        network.set_param(ids["stage2"], name, value)
    text, source = _export(network, tmp_path)
    assert "self.stage1 = nn.Sequential(*(Basic(in_channels=8, channels=8) for _ in range(5)))" in text
    assert ("self.stage2 = nn.Sequential(\n            Basic(in_channels=8, channels=16, stride=2),\n"
            "            *(Basic(in_channels=16, channels=16) for _ in range(4)),\n        )") in text
    assert "stage2.4.conv2.weight" in source.state_dict()


def test_weight_init_given_by_a_block_argument(tmp_path) -> None:
    """A block whose Dense takes its `init` from an argument: the class passes the argument to
    init_weights, and made under the compile's seed it starts with LayerLab's weights."""
    library = BlockLibrary()
    head = Network()
    head.library = library
    _chain(head, head.add_node("BlockInput", name="in"), [
        ("Dense", {"units": 16, "init": {"arg": "init"}}, "fc"), ("ReLU", {}, "act"), ("BlockOutput", {}, "out")])
    library.add(BlockDefinition("layer", head, {"init": "he_normal"}))
    net = Network()
    net.library = library
    _chain(net, net.add_node("Input", {"shape": [8]}, name="x"), [
        ("Block", {"definition": "layer", "args": {}}, "b1"),
        ("Block", {"definition": "layer", "args": {"init": "xavier_uniform"}}, "b2"),
        ("Dense", {"units": 4, "init": "he_uniform"}, "scores"), ("Output", {}, "out")])
    text, _ = _export(net, tmp_path)
    assert "def __init__(self, in_features: int, init: str = 'he_normal') -> None:" in text
    assert "self.fc = init_weights(nn.Linear(in_features, 16), init)" in text
    assert "self.b1 = Layer(in_features=8)" in text and "self.b2 = Layer(in_features=16, init='xavier_uniform')" in text
    assert "self.scores = init_weights(nn.Linear(16, 4), 'he_uniform')" in text
    module = import_file(tmp_path / "model.py", "layerlab_test_init_blocks")
    torch.manual_seed(3)
    compiled = compile_network(net).state_dict()
    torch.manual_seed(3)
    exported = module.Model().state_dict()
    assert compiled.keys() == exported.keys()
    assert all(torch.equal(compiled[k], exported[k]) for k in compiled)
    assert torch.count_nonzero(exported["b2.fc.bias"]) == 0
