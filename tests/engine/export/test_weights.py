"""Loading weights: safetensors and weights-only state dicts, a report of what fitted, and
pickles with code refused without running them."""

from __future__ import annotations

import os
import pickle

import pytest
import torch
from safetensors.torch import save_file

from engine.compiler import compile_network
from engine.importers import WeightsError, load_weights_file, read_weights
from engine.project import load_project

from .conftest import ROOT


@pytest.fixture
def lenet():
    return compile_network(load_project(ROOT / "sample_projects" / "lenet5.layerlab").network)


def test_safetensors_and_state_dict_load_completely(lenet, tmp_path):
    state = {k: torch.randn_like(v.float()).to(v.dtype) for k, v in lenet.state_dict().items()}
    save_file(state, str(tmp_path / "w.safetensors"))
    torch.save(state, tmp_path / "w.pt")
    for name in ("w.safetensors", "w.pt"):
        model = compile_network(load_project(ROOT / "sample_projects" / "lenet5.layerlab").network)
        report = load_weights_file(model, tmp_path / name)
        assert report.complete and len(report.matched) == len(state) and not report.unexpected
        assert torch.equal(model.state_dict()["c1.weight"], state["c1.weight"])


def test_report_lists_missing_mismatched_and_unexpected(lenet, tmp_path):
    state = dict(lenet.state_dict())
    state.pop("f7.bias")
    state["f6.weight"] = torch.zeros(3, 3)
    state["extra.weight"] = torch.zeros(1)
    torch.save({"state_dict": state, "epoch": 4}, tmp_path / "ckpt.pth")  # a common checkpoint layout
    report = load_weights_file(lenet, tmp_path / "ckpt.pth")
    assert report.missing == ["f7.bias"]
    assert report.mismatched == [("f6.weight", (3, 3), (84, 120))]
    assert report.unexpected == ["extra.weight"]
    assert not report.complete
    assert "f6.weight (file [3, 3], model [84, 120])" in report.summary()
    with pytest.raises(WeightsError, match="do not fit this network"):
        load_weights_file(lenet, tmp_path / "ckpt.pth", require_complete=True)


def test_dotted_and_ddp_names_are_matched(lenet, tmp_path):
    """torchvision-style dotted layer names and a DistributedDataParallel 'module.' prefix."""
    state = {f"module.{k}": v for k, v in lenet.state_dict().items()}
    torch.save(state, tmp_path / "ddp.pt")
    assert load_weights_file(lenet, tmp_path / "ddp.pt").complete


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {_Payload.marker}",))


def test_pickle_with_code_is_refused_and_not_run(lenet, tmp_path):
    marker = tmp_path / "pwned"
    _Payload.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"c1.weight": _Payload()}, path)
    with pytest.raises(WeightsError, match="Refused to open .*could run that code"):
        read_weights(path)
    assert not marker.exists()
    raw = tmp_path / "evil.pkl"
    raw.write_bytes(pickle.dumps(_Payload()))
    with pytest.raises(WeightsError, match="Refused|Cannot read"):
        read_weights(raw)
    assert not marker.exists()


def test_unreadable_files_give_one_message(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        read_weights(tmp_path / "none.pt")
    (tmp_path / "junk.safetensors").write_bytes(b"not safetensors at all")
    with pytest.raises(WeightsError, match="safetensors"):
        read_weights(tmp_path / "junk.safetensors")
    torch.save([1, 2, 3], tmp_path / "list.pt")
    with pytest.raises(WeightsError, match="holds no tensors"):
        read_weights(tmp_path / "list.pt")
