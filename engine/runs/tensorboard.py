"""TensorBoard event files in the run directory, when the optional `tensorboard` extra is installed
(`tensorboard --logdir RUNS_FOLDER` then shows LayerLab's runs); without it, nothing happens.

Scalars per logged step (train/loss, train/lr) and per epoch (epoch/*), the evaluations (eval/*),
weight and gradient histograms whenever a probe runs, the graph (when tracing works) and, at the end,
the hyperparameters with the final metrics (HParams plugin). LAYERLAB_TENSORBOARD=0 turns it off."""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch


def available() -> bool:
    """True when torch.utils.tensorboard can write (the tensorboard package is installed)."""
    if os.environ.get("LAYERLAB_TENSORBOARD", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return importlib.util.find_spec("tensorboard") is not None


def flat_hparams(project_sections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """'training.lr' -> value for the HParams plugin (numbers, strings and booleans only)."""
    out: dict[str, Any] = {}
    for section, values in project_sections.items():
        for key, value in _flatten(values, section).items():
            if isinstance(value, (bool, int, float, str)):
                out[key] = value
            elif value is not None:
                out[key] = str(value)
    return out


def _flatten(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}.{key}"))
        else:
            out[f"{prefix}.{key}"] = value
    return out


class TensorBoardWriter:
    """Feeds a run's records to a SummaryWriter in `path` (rank 0 only; the caller checks)."""

    def __init__(self, path: str | Path) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(path))

    def started(self, trainer) -> None:
        p = trainer.prepared
        try:
            split = p.dataset.train
            if split.in_memory and len(split):
                was_training = p.gm.training
                with warnings.catch_warnings(), torch.no_grad():
                    warnings.simplefilter("ignore")  # torch.jit.trace is deprecated, and says so
                    self.writer.add_graph(p.gm.eval(), split.x[:1].to(p.device), use_strict_trace=False)
                p.gm.train(was_training)
        except Exception:  # graphs that do not trace (data-dependent control flow): no graph tab
            pass

    def __call__(self, record) -> None:
        from engine.training import records as R

        w = self.writer
        if isinstance(record, R.StepRecord):
            w.add_scalar("train/loss", record.loss, record.step)
            w.add_scalar("train/lr", record.lr, record.step)
            w.add_scalar("train/samples_per_second", record.samples_per_second, record.step)
        elif isinstance(record, R.EpochRecord):
            for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"):
                value = getattr(record, key)
                if value is not None:
                    w.add_scalar(f"epoch/{key}", value, record.epoch)
            w.flush()
        elif isinstance(record, R.EvalRecord):
            tag = "final" if record.final else "eval"
            w.add_scalar(f"{tag}/{record.split}_loss", record.loss, record.step)
            if record.accuracy is not None:
                w.add_scalar(f"{tag}/{record.split}_accuracy", record.accuracy, record.step)
        elif isinstance(record, R.ProbeRecord):
            for kind, histograms in (("weights", record.weight_histograms), ("gradients", record.grad_histograms)):
                for layer, (counts, edges) in histograms.items():
                    self._histogram(f"{kind}/{layer}", np.asarray(counts), np.asarray(edges), record.step)

    def _histogram(self, tag: str, counts: np.ndarray, edges: np.ndarray, step: int) -> None:
        total = float(counts.sum())
        if total <= 0 or len(edges) != len(counts) + 1:
            return
        centers = (edges[:-1] + edges[1:]) / 2
        self.writer.add_histogram_raw(tag, float(edges[0]), float(edges[-1]), total,
                                      float((centers * counts).sum()), float((centers ** 2 * counts).sum()),
                                      edges[1:].tolist(), counts.tolist(), step)

    def ended(self, hparams: dict[str, Any], metrics: dict[str, float]) -> None:
        """The HParams plugin's record, written into this same event file (not a sub-run)."""
        from torch.utils.tensorboard.summary import hparams as hparams_summary

        metric_dict = {f"hparam/{k}": float(v) for k, v in metrics.items()}
        if hparams and metric_dict:
            exp, ssi, sei = hparams_summary(hparams, metric_dict)
            for summary in (exp, ssi, sei):
                self.writer.file_writer.add_summary(summary)
            for key, value in metric_dict.items():
                self.writer.add_scalar(key, value)
        self.close()

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
