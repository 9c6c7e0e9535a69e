"""The `init` parameter of Dense and the convolutions: He (Kaiming) and Xavier (Glorot) starting
weights with zero biases, PyTorch's own by default; the compiled model, the python export and the
project file all keep it."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from engine.builder import NetworkBuilder
from engine.compiler import compile_network
from engine.export import export, source_from_project
from engine.export.python_code import import_file
from engine.layers.registry import get_spec
from engine.project import Project, load_project, project_from_dict


def _dense(init: str, seed: int = 0, features: int = 256, units: int = 256) -> nn.Linear:
    spec = get_spec("Dense")
    torch.manual_seed(seed)
    return spec.build(spec.validate_params({"units": units, "init": init}), [(features,)])


@pytest.mark.parametrize("init, std", [
    ("he_normal", math.sqrt(2 / 256)), ("he_uniform", math.sqrt(2 / 256)),
    ("xavier_normal", math.sqrt(2 / (256 + 256))), ("xavier_uniform", math.sqrt(2 / (256 + 256))),
    ("default", math.sqrt(1 / (3 * 256))),
])
def test_weight_spread_follows_the_scheme(init, std):
    layer = _dense(init)
    assert layer.weight.std().item() == pytest.approx(std, rel=0.1)
    assert layer.weight.mean().abs().item() < 0.1 * std
    if init != "default":
        assert torch.count_nonzero(layer.bias) == 0


def test_he_uses_the_fan_in_and_normal_is_not_uniform():
    wide = _dense("he_normal", features=1024, units=64)
    assert wide.weight.std().item() == pytest.approx(math.sqrt(2 / 1024), rel=0.1)
    bound = math.sqrt(6 / 256)  # kaiming_uniform_: U(-b, b) with b = sqrt(3) * std
    assert _dense("he_uniform").weight.abs().max().item() <= bound
    assert _dense("he_normal").weight.abs().max().item() > bound


def test_default_is_pytorchs_own_initialization():
    torch.manual_seed(0)
    plain = nn.Linear(256, 256)
    layer = _dense("default")
    assert torch.equal(layer.weight, plain.weight) and torch.equal(layer.bias, plain.bias)
    spec = get_spec("Conv2d")
    torch.manual_seed(1)
    conv = spec.build(spec.validate_params({"filters": 8}), [(3, 10, 10)])
    torch.manual_seed(1)
    assert torch.equal(conv.weight, nn.Conv2d(3, 8, 3).weight)


@pytest.mark.parametrize("type_id, params, shape", [
    ("Conv2d", {"filters": 64, "kernel": 3}, (32, 12, 12)),
    ("ConvTranspose2d", {"filters": 32, "kernel": 2, "stride": 2}, (64, 6, 6)),
])
def test_convolutions_take_the_option_without_changing_their_size(type_id, params, shape):
    spec = get_spec(type_id)
    default = spec.validate_params(params)
    he = spec.validate_params({**params, "init": "he_normal"})
    assert spec.infer(he, [shape]) == spec.infer(default, [shape])
    torch.manual_seed(0)
    layer = spec.build(he, [shape])
    fan_in = layer.weight[0].numel()  # as torch counts it: weight.shape[1] × kernel area
    assert layer.weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.1)
    assert torch.count_nonzero(layer.bias) == 0


def test_the_card_names_it_only_when_not_default():
    spec = get_spec("Dense")
    assert spec.summary(spec.validate_params({"units": 32})) == "32 units"
    assert spec.summary(spec.validate_params({"units": 32, "init": "he_normal"})) == "32 units, he normal init"
    conv = get_spec("Conv2d")
    assert conv.summary(conv.validate_params({"init": "xavier_uniform"})).endswith("8 filters, xavier uniform init")


def _project(init: str) -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 12, 12]), ("Conv2d", {"filters": 16, "init": init}, "conv"), ("ReLU",),
                ("Flatten",), ("Dense", {"units": 64, "init": init}, "fc1"), ("ReLU",),
                ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Init check", "", {"source": "mnist", "task": "classification"}, {})


def test_project_file_keeps_the_option_and_old_files_load_as_default(tmp_path):
    project = _project("he_uniform")
    again = load_project(project.save(tmp_path / "init.layerlab"))
    assert again.to_dict() == project.to_dict()
    assert again.network.node(again.network.find("fc1")).params["init"] == "he_uniform"
    assert again.network.node(again.network.find("scores")).params["init"] == "default"
    document = _project("default").to_dict()
    for node in document["graph"]["nodes"]:
        node["params"].pop("init", None)  # a file written before the option existed
    old = project_from_dict(document)
    assert not old.problems
    assert old.network.node(old.network.find("fc1")).params["init"] == "default"


@pytest.mark.parametrize("init", ["he_normal", "default"])
def test_python_export_draws_the_same_starting_weights(init, tmp_path):
    """The exported class, made under the seed the model was compiled under, starts with the very
    same weights: the same constructors and init_weights calls, in the same order."""
    project = _project(init)
    torch.manual_seed(5)
    model = compile_network(project.network)
    export(source_from_project(project), "python", tmp_path / "init_model.py")
    text = (tmp_path / "init_model.py").read_text()
    assert ("def init_weights(" in text) == (init != "default")
    if init != "default":
        assert "self.fc1 = init_weights(nn.Linear(1600, 64), 'he_normal')" in text
        assert "self.scores = nn.Linear(64, 10)" in text
    module = import_file(tmp_path / "init_model.py", "layerlab_init_model")
    torch.manual_seed(5)
    exported = module.InitCheck()
    mine, theirs = model.state_dict(), exported.state_dict()
    assert mine.keys() == theirs.keys()
    assert all(torch.equal(mine[k], theirs[k]) for k in mine)
    if init != "default":
        assert torch.count_nonzero(theirs["fc1.bias"]) == 0
        assert theirs["fc1.weight"].std().item() == pytest.approx(math.sqrt(2 / 1600), rel=0.1)
