"""`layerlab export` prints one JSON line; `layerlab import` writes projects and run directories."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from engine.cli.main import main
from engine.compiler import compile_network
from engine.export.source import RUN_PROJECT, RUN_WEIGHTS, save_run_dir
from engine.project import load_project
from engine.shapes import infer_shapes

from .conftest import ROOT

LENET = ROOT / "sample_projects" / "lenet5.layerlab"


def test_export_project_prints_one_json_line(tmp_path, capsys):
    assert main(["export", str(LENET), "--format", "exported_program", "-o", str(tmp_path / "m.pt2")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"format", "path", "max_abs_diff"}
    assert record["format"] == "exported_program" and record["path"] == str(tmp_path / "m.pt2")
    assert record["max_abs_diff"] <= 1e-5


def test_export_from_run_directory_uses_its_weights(tmp_path, capsys):
    project = load_project(LENET)
    model = compile_network(project.network)
    trained = {k: v + 0.5 if v.is_floating_point() else v for k, v in model.state_dict().items()}
    run = save_run_dir(project, trained, tmp_path / "run")
    assert main(["export", str(run), "-f", "safetensors", "-o", str(tmp_path / "w.safetensors")]) == 0
    assert json.loads(capsys.readouterr().out)["max_abs_diff"] == 0.0
    assert torch.equal(load_file(str(tmp_path / "w.safetensors"))["f5.weight"], trained["f5.weight"])


def test_export_errors_are_one_message(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nowhere"), "-f", "onnx", "-o", str(tmp_path / "m.onnx")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / RUN_PROJECT).write_text(LENET.read_text())
    assert main(["export", str(tmp_path / "half"), "-f", "onnx", "-o", str(tmp_path / "m.onnx")]) == 2
    assert f"lacks {RUN_WEIGHTS}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", str(LENET), "-f", "keras", "-o", str(tmp_path / "m.h5")])


def test_import_torchvision_writes_a_project(tmp_path, capsys):
    out = tmp_path / "r18.layerlab"
    assert main(["import", "torchvision:resnet18", "-o", str(out), "--input-shape", "3,64,64"]) == 0
    assert "11,689,512 parameters" in capsys.readouterr().out
    project = load_project(out)
    assert project.network.node(project.network.find("input")).params["shape"] == (3, 64, 64)
    assert infer_shapes(project.network).total_params == 11_689_512


def test_import_refusal_lists_operations(tmp_path, capsys):
    assert main(["import", "torchvision:swin_t", "-o", str(tmp_path / "m.layerlab")]) == 2
    assert "no layer for torchvision.models.swin_transformer.shifted_window_attention" in capsys.readouterr().err
    assert not (tmp_path / "m.layerlab").exists()


def test_import_weights_into_project(tmp_path, capsys):
    model = compile_network(load_project(LENET).network)
    state = model.state_dict()
    torch.save(state, tmp_path / "w.pt")
    assert main(["import", str(tmp_path / "w.pt"), "--project", str(LENET), "-o", str(tmp_path / "run")]) == 0
    assert f"{len(state)} tensors matched, 0 missing" in capsys.readouterr().out
    assert torch.equal(load_file(str(tmp_path / "run" / RUN_WEIGHTS))["c1.weight"], state["c1.weight"])
    state.pop("f7.bias")
    torch.save(state, tmp_path / "part.pt")
    assert main(["import", str(tmp_path / "part.pt"), "--project", str(LENET), "-o", str(tmp_path / "r2")]) == 1
    assert "1 missing" in capsys.readouterr().out and not (tmp_path / "r2").exists()


def test_import_weights_needs_a_project(tmp_path, capsys):
    assert main(["import", str(tmp_path / "w.pt"), "-o", str(tmp_path / "run")]) == 2
    assert "--project" in capsys.readouterr().err
