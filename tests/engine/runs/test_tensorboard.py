"""TensorBoard event files in the run directory (only with the optional `tensorboard` extra)."""

import pytest

from engine.run_dir import train_to_directory
from engine.training import Trainer
from tests.engine.training.helpers import spiral_project


def test_a_run_writes_scalars_histograms_hparams_and_the_graph(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard", reason="the optional extra is absent: pip install 'layerlab[tensorboard]'")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.delenv("LAYERLAB_TENSORBOARD", raising=False)
    train_to_directory(Trainer(spiral_project(epochs=2, probe_every=2, log_every=1)), tmp_path / "run")
    assert list((tmp_path / "run").glob("events.out.tfevents.*"))
    events = EventAccumulator(str(tmp_path / "run"), size_guidance={"histograms": 0, "scalars": 0}).Reload()
    tags = events.Tags()
    assert {"train/loss", "train/lr", "epoch/train_loss", "epoch/val_loss", "epoch/val_accuracy",
            "final/test_accuracy", "hparam/val_accuracy"} <= set(tags["scalars"])
    assert [e.step for e in events.Scalars("epoch/train_loss")] == [1, 2]
    assert any(t.startswith("weights/") for t in tags["histograms"])
    assert any(t.startswith("gradients/") for t in tags["histograms"])
    from tensorboard.plugins.hparams import plugin_data_pb2

    hparams = events.PluginTagToContent("hparams")
    assert {"_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"} <= set(hparams)
    start = plugin_data_pb2.HParamsPluginData.FromString(hparams["_hparams_/session_start_info"])
    assert start.session_start_info.hparams["training.lr"].number_value == 0.02
    assert tags["graph"]


def test_without_it_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_TENSORBOARD", "0")  # as without the extra: engine.runs.tensorboard.available()
    train_to_directory(Trainer(spiral_project(epochs=1)), tmp_path / "run")
    assert not list((tmp_path / "run").glob("events.out.tfevents.*"))
