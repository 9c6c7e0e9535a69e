"""Exports of a model with blocks: weights, TorchScript, ONNX, torch.export and the Python source
formats keep the nested names and match the model (the python export's classes:
test_python_blocks.py)."""

from __future__ import annotations

import pytest

from engine.export import export, onnx_file, source_from_project
from engine.project import Project
from tests.engine.blocks.resnet import small_resnet
from tests.engine.blocks.test_python_blocks import builtin_network

FORMATS = [("state_dict", "pt"), ("safetensors", "safetensors"), ("torchscript", "pt"),
           ("exported_program", "pt2"), ("onnx", "onnx"), ("python", "py")]


@pytest.mark.parametrize(("name", "suffix"), FORMATS, ids=[f[0] for f in FORMATS])
def test_exports_of_a_model_with_blocks_match_it(name: str, suffix: str, tmp_path) -> None:
    if name == "onnx" and not (onnx_file.available() and onnx_file.runtime_available()):
        pytest.skip("onnx or onnxruntime is not installed")
    source = source_from_project(Project(small_resnet(), "small resnet"))
    assert "stage2.blocks.1.conv1.weight" in source.state_dict()
    result = export(source, name, tmp_path / f"model.{suffix}")
    assert result.max_abs_diff is not None and result.max_abs_diff < 1e-5


def test_the_training_script_holds_the_block_classes(tmp_path) -> None:
    """The training_script export writes the model as the python export does, blocks too."""
    network = builtin_network((1, 28, 28))  # MNIST's shape, the default dataset
    source = source_from_project(Project(network, "blocks"))
    result = export(source, "training_script", tmp_path / "train.py")
    assert result.max_abs_diff is not None and result.max_abs_diff < 1e-5
    text = (tmp_path / "train.py").read_text()
    assert "class ResnetStage(nn.Module):" in text
    assert "MODEL_CLASS = Blocks" in text
