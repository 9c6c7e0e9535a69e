"""`layerlab import torchvision:NAME` makes the model's submodules blocks: ResNet-18's top level is a
dozen cards, identical submodules share a definition, weights are keyed by torch's module paths and
copy exactly, outputs equal torchvision's, and `--flat` still gives one card per layer."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from engine.cli.main import main
from engine.compiler import compile_network
from engine.importers import import_module, import_torchvision
from engine.importers.weights import nested_key
from engine.project import load_project
from engine.shapes import infer_shapes

SHAPE = (3, 64, 64)
RESNET18_TOP = ["input", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool",
                "flatten", "fc", "output"]


@pytest.fixture(scope="module")
def resnet18():
    return import_torchvision("resnet18", SHAPE, with_weights=True)


def names(network) -> list[str]:
    return [network.name_of(n) for n in network.topological_order()]


def instance(network, name: str) -> dict:
    return network.params_view(network.find(name))


def assert_same_model(result, network, shape: tuple[int, ...]) -> float:
    """Keys are torch's module paths, every tensor copies exactly and the outputs agree; returns the
    largest difference."""
    model = compile_network(network).eval()
    theirs = result.reference.state_dict()
    assert set(model.state_dict()) == {nested_key(k) for k in theirs}
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    ours = model.state_dict()
    assert all(torch.equal(ours[nested_key(k)], v) for k, v in theirs.items())
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        difference = (model(x) - result.reference(x)).abs().max().item()
    assert difference <= 1e-5
    return difference


def test_resnet18_top_level_is_a_dozen_cards(resnet18):
    net = resnet18.project.network
    assert names(net) == RESNET18_TOP
    assert [net.spec(net.find(f"layer{i}")).type_id for i in range(1, 5)] == ["Block"] * 4
    layer2 = resnet18.project.blocks.definition(instance(net, "layer2")["definition"]).network
    assert names(layer2) == ["in", "0", "1", "out"]
    assert instance(layer2, "0")["definition"] == "BasicBlock_downsample"
    inner = resnet18.project.blocks.definition("BasicBlock_downsample").network
    assert names(inner) == ["in", "conv1", "bn1", "relu", "conv2", "bn2", "downsample", "add", "relu_1", "out"]
    assert infer_shapes(net).total_params == resnet18.reference_params == 11_689_512


def test_identical_submodules_share_a_definition_with_arguments(resnet18):
    blocks = resnet18.project.blocks
    assert sorted(blocks.names) == ["BasicBlock", "BasicBlock_downsample", "downsample", "layer1", "layer2"]
    assert blocks.definition("BasicBlock").args == {"filters": 64}
    conv1 = blocks.definition("BasicBlock").network.find("conv1")
    assert blocks.definition("BasicBlock").network.params_view(conv1)["filters"] == {"arg": "filters"}
    net = resnet18.project.network
    assert instance(net, "layer1")["definition"] == "layer1"
    assert [instance(net, f"layer{i}")["definition"] for i in (2, 3, 4)] == ["layer2"] * 3
    assert [instance(net, f"layer{i}")["args"] for i in (2, 3, 4)] == [{"filters": c} for c in (128, 256, 512)]


def test_resnet18_weights_copy_exactly_and_outputs_match(resnet18):
    model_keys = set(compile_network(resnet18.project.network).state_dict())
    assert {"layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "fc.bias"} <= model_keys  # torchvision's own
    assert assert_same_model(resnet18, resnet18.project.network, SHAPE) <= 1e-5


def test_torchvisions_state_dict_loads_strictly_into_the_model_and_its_python_export(resnet18, tmp_path):
    """Numbered submodules keep their numbers ('layer1.0'), so torch's own weights load as they are,
    both ways; a run saved with the older spelling ('layer1._0') still opens."""
    from engine.export import export
    from engine.export.python_code import import_file
    from engine.export.source import load_source, save_run_dir, source_from_project
    from engine.run_dir import read_run

    theirs = resnet18.reference.state_dict()
    model = compile_network(resnet18.project.network).eval()
    model.load_state_dict(theirs, strict=True)
    export(source_from_project(resnet18.project), "python", tmp_path / "model.py")
    text = (tmp_path / "model.py").read_text()
    assert 'self.add_module("0", BasicBlock(' in text and 'getattr(self, "0")(x)' in text
    exported = next(v for k, v in vars(import_file(tmp_path / "model.py")).items()
                    if k != "BasicBlock" and isinstance(v, type) and issubclass(v, nn.Module)
                    and "layer1" in v.__init__.__code__.co_names)().eval()
    exported.load_state_dict(theirs, strict=True)
    x = torch.randn(1, *SHAPE)
    with torch.no_grad():
        assert torch.equal(exported(x), model(x))
    older = {k.replace(".0.", "._0.").replace(".1.", "._1."): v for k, v in theirs.items()}
    assert "layer1._0.conv1.weight" in older
    folder = save_run_dir(resnet18.project, older, tmp_path / "old-run")
    (folder / "summary.json").write_text("{}")
    with torch.no_grad():
        assert torch.equal(read_run(folder).model()(x), model(x))  # Play, Runs
        assert torch.equal(load_source(folder).model(x), model(x))  # export


def test_saved_project_is_format_2_and_still_matches(resnet18, tmp_path):
    path = resnet18.project.save(tmp_path / "r18.layerlab")
    assert json.loads(path.read_text())["format_version"] == 2
    again = load_project(path)
    assert names(again.network) == RESNET18_TOP and len(again.blocks) == 5
    assert_same_model(resnet18, again.network, SHAPE)


def test_vgg11_is_features_and_classifier_blocks():
    result = import_torchvision("vgg11", (3, 32, 32))  # on the meta device: structure and keys only
    net = result.project.network
    assert names(net) == ["input", "features", "avgpool", "flatten", "classifier", "output"]
    assert infer_shapes(net).total_params == result.reference_params
    with torch.device("meta"):
        model = compile_network(net)
    assert set(model.state_dict()) == {nested_key(k) for k in result.reference.state_dict()}
    features = result.project.blocks.definition("features").network
    assert names(features)[:4] == ["in", "0", "1", "2"] and len(features) == 21 + 2


def small_vgg() -> nn.Module:
    """torchvision's VGG class with few channels and a small classifier of the same layout."""
    from torchvision.models.vgg import VGG, make_layers

    with torch.device("meta"):  # VGG's own classifier expects 512×7×7 inputs: built for nothing
        model = VGG(make_layers([8, "M", 16, "M"], batch_norm=True), num_classes=10)
    torch.manual_seed(0)
    model.features = make_layers([8, "M", 16, "M"], batch_norm=True)
    model.classifier = nn.Sequential(nn.Linear(16 * 7 * 7, 32), nn.ReLU(True), nn.Dropout(), nn.Linear(32, 32),
                                     nn.ReLU(True), nn.Dropout(), nn.Linear(32, 10))
    for module in model.features:
        if isinstance(module, nn.BatchNorm2d):  # not the identity, so that a misplaced tensor shows
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return model.eval()


def test_small_vgg_outputs_match():
    from engine.importers import ImportResult

    reference = small_vgg()
    project = import_module(reference, (3, 28, 28), "vgg_small")
    assert names(project.network) == ["input", "features", "avgpool", "flatten", "classifier", "output"]
    result = ImportResult(project, reference, sum(p.numel() for p in reference.parameters()))
    assert_same_model(result, project.network, (3, 28, 28))


@pytest.mark.slow
def test_vgg11_outputs_match():
    result = import_torchvision("vgg11", (3, 32, 32), with_weights=True)
    assert_same_model(result, result.project.network, (3, 32, 32))


def test_flat_keeps_one_card_per_layer():
    project = import_torchvision("resnet18", SHAPE, flat=True).project
    assert len(project.network) > 60 and len(project.blocks) == 0
    assert {"layer1.0.conv1", "layer2.0.downsample.0", "add"} <= set(names(project.network))
    assert project.to_dict()["format_version"] == 1
    model = compile_network(project.network).eval()
    assert "layer1_0_conv1.weight" in model.state_dict()


def test_cli_flat_option(tmp_path, capsys):
    blocks, flat = tmp_path / "blocks.layerlab", tmp_path / "flat.layerlab"
    assert main(["import", "torchvision:resnet18", "-o", str(blocks), "--input-shape", "3,64,64"]) == 0
    assert "13 layers (5 block definitions)" in capsys.readouterr().out
    assert main(["import", "torchvision:resnet18", "-o", str(flat), "--input-shape", "3,64,64", "--flat"]) == 0
    assert len(load_project(blocks).network) == 13
    assert len(load_project(flat).network) > 60 and len(load_project(flat).blocks) == 0


@pytest.mark.parametrize("name", ["resnet50", "densenet121", "alexnet"])
def test_other_models_group_with_the_same_parameters(name):
    result = import_torchvision(name, (3, 64, 64))
    assert len(result.project.blocks) > 0
    assert infer_shapes(result.project.network).total_params == result.reference_params
