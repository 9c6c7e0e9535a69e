"""The `python` export is one readable file that runs with only torch, without LayerLab."""

from __future__ import annotations

import ast

import pytest
import torch

from engine.export import export, source_from_project
from engine.export.codegen import class_name

from .conftest import run_without_layerlab
from .networks import every_layer_project

_COMPARE = """
import sys, torch
sys.path.insert(0, ".")
from model import load_model
data = torch.load("probe.pt", weights_only=True)
with torch.no_grad():
    got = load_model()(data["x"])
diff = (got - data["y"]).abs().max().item()
assert "engine" not in sys.modules
print(f"max_abs_diff={diff}")
"""


@pytest.mark.parametrize("sample", ["resnet_mnist", "conv_autoencoder", "spiral_playground"])
def test_runs_without_layerlab_and_matches(sources, sample, tmp_path):
    source = sources[sample]
    export(source, "python", tmp_path / "model.py")
    x = source.probe(4)
    with torch.no_grad():
        torch.save({"x": x, "y": source.model(x)}, tmp_path / "probe.pt")
    (tmp_path / "compare.py").write_text(_COMPARE)

    demo = run_without_layerlab(tmp_path / "model.py", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "-> output (2, " in demo.stdout
    check = run_without_layerlab(tmp_path / "compare.py", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert float(check.stdout.strip().split("=")[1]) <= 1e-5


def test_file_is_readable_python(sources, tmp_path):
    """Layers in __init__ named as in the project, a class per block definition, a forward with one
    line per layer, and the skip connection visible by name (resnet_mnist is built from blocks)."""
    export(sources["resnet_mnist"], "python", tmp_path / "resnet.py")
    text = (tmp_path / "resnet.py").read_text()
    tree = ast.parse(text)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names} | {node.module.split(".")[0] for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"torch", "pathlib", "nn", "Path"}
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert classes == {"Add", "GlobalAvgPool2d", "ResnetBasic", "ResnetDown", "ResnetStage", "SmallResNetForMNIST"}
    assert "self.stem = nn.Conv2d(1, 16, kernel_size=(3, 3), padding=(1, 1), bias=False)" in text
    assert "self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=(3, 3), padding=(1, 1), bias=False)" in text
    assert "self.stage1 = ResnetBasic(in_channels=16, channels=16)" in text
    assert "x = self.add(x, in_)" in text  # ResnetBasic's identity shortcut
    assert (tmp_path / "resnet.weights.pt").is_file()


def test_every_layer_type_writes_and_reloads(tmp_path):
    result = export(source_from_project(every_layer_project()), "python", tmp_path / "every.py")
    assert result.max_abs_diff <= 1e-5
    text = (tmp_path / "every.py").read_text()
    assert "pool_out, pool_indices = self.pool(x)" in text
    assert "unpool = self.unpool(pool_out, pool_indices)" in text
    assert "return_indices=True" in text


@pytest.mark.parametrize("name, expected", [("LeNet-5", "LeNet5"), ("8-3-8 encoder", "Model838Encoder"),
                                            ("", "Model"), ("small resnet", "SmallResnet")])
def test_class_names(name, expected):
    assert class_name(name) == expected
