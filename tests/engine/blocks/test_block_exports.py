"""Exports of a model with blocks: weights, TorchScript, ONNX and torch.export keep the nested names
and match the model; the Python source export refuses with a clear message (not written yet)."""

from __future__ import annotations

import pytest

from engine.export import ExportError, export, onnx_file, source_from_project
from engine.project import Project
from tests.engine.blocks.resnet import small_resnet

FORMATS = [("state_dict", "pt"), ("safetensors", "safetensors"), ("torchscript", "pt"),
           ("exported_program", "pt2"), ("onnx", "onnx")]


@pytest.mark.parametrize(("name", "suffix"), FORMATS, ids=[f[0] for f in FORMATS])
def test_exports_of_a_model_with_blocks_match_it(name: str, suffix: str, tmp_path) -> None:
    if name == "onnx" and not (onnx_file.available() and onnx_file.runtime_available()):
        pytest.skip("onnx or onnxruntime is not installed")
    source = source_from_project(Project(small_resnet(), "small resnet"))
    assert "stage2.blocks.1.conv1.weight" in source.state_dict()
    result = export(source, name, tmp_path / f"model.{suffix}")
    assert result.max_abs_diff is not None and result.max_abs_diff < 1e-5


def test_the_python_export_names_the_block_it_cannot_write_yet(tmp_path) -> None:
    source = source_from_project(Project(small_resnet(), "small resnet"))
    with pytest.raises(ExportError, match="layer 'stage1' has no Python form"):
        export(source, "python", tmp_path / "model.py")
