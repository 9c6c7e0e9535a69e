"""Run directories: what a training run leaves behind, and how to read it back. The CLI
(`layerlab train --out`) and the app write them with the same code, `RunRecorder`.

    RUN_DIR/summary.json         epochs_run, best_epoch, train/wall seconds, samples/s, device,
                                 stopped_reason, final {train,val,test}_{loss,accuracy}, ...
    RUN_DIR/metrics.jsonl        one JSON object per epoch
    RUN_DIR/weights.safetensors  the best weights; keys = the compiled GraphModule's state_dict keys
    RUN_DIR/checkpoint.pt        model + optimizer + schedule + position (resumable)
    RUN_DIR/project.layerlab     the project as trained (Input shape bound to the dataset)
    RUN_DIR/INCOMPLETE           only while the run is going, or if it never ended properly
                                 (aborted, the process killed): its text says which
    RUN_DIR/record.json          what makes the run reproducible: seed, data fingerprint, versions,
                                 device, start / end time, stop reason, best results (engine.runs.record)
    RUN_DIR/annotations.json     tags and a note, when given (engine.runs.annotations)
    RUN_DIR/snapshots/epoch-NNNN.safetensors  the weights before training (0000) and at the end of
                                 every `training.snapshot_every` epochs (engine.play.snapshots)
    RUN_DIR/events.out.tfevents.*  TensorBoard's, when the optional extra is installed
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.atomic import atomic_write_bytes, atomic_write_text
from engine.errors import LayerLabError
from engine.play.snapshots import snapshots_due, write_snapshot
from engine.project import Project, load_project

if TYPE_CHECKING:  # importing torch takes seconds: `layerlab runs` and the runs index read directories without it
    import torch

SUMMARY, METRICS, WEIGHTS, CHECKPOINT, PROJECT = ("summary.json", "metrics.jsonl", "weights.safetensors",
                                                  "checkpoint.pt", "project.layerlab")
INCOMPLETE = "INCOMPLETE"
RUNNING_NOTE = ("This run directory was still being written when training stopped (the run was going, or "
                "the process ended on the way); its files may be missing or stale.\n")
ABORTED_NOTE = ("This run was aborted before its end (LayerLab was closed or another project opened): "
                "weights.safetensors holds the weights at step {step}, without a final evaluation or a "
                "final checkpoint.\n")


class RunDirError(LayerLabError):
    """A run directory is missing a file or holds something unreadable."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class RunWriter:
    """Writes one run directory; every file is replaced atomically."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    @property
    def checkpoint_path(self) -> Path:
        return self.path / CHECKPOINT

    def mark_incomplete(self, note: str = RUNNING_NOTE) -> None:
        atomic_write_text(self.path / INCOMPLETE, note)

    def mark_complete(self) -> None:
        (self.path / INCOMPLETE).unlink(missing_ok=True)

    def write_project(self, project: Project) -> None:
        atomic_write_text(self.path / PROJECT, project.to_json())

    def write_metrics(self, rows: list[dict[str, Any]]) -> None:
        atomic_write_text(self.path / METRICS, "".join(json.dumps(_jsonable(r)) + "\n" for r in rows))

    def write_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        from safetensors.torch import save

        tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
        atomic_write_bytes(self.path / WEIGHTS, save(tensors))

    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write_text(self.path / SUMMARY, json.dumps(_jsonable(summary), indent=2) + "\n")


class RunRecorder:
    """Writes a run directory from a trainer's records, one record at a time, as the run goes:

        recorder = RunRecorder(trainer, "runs/lenet5")   # before trainer.run(); sets its checkpoint_path
        for record in trainer.run():
            recorder(record)

    Started: the directory, INCOMPLETE and project.layerlab; each EpochRecord: metrics.jsonl (and the
    trainer writes checkpoint.pt); the end: metrics, weights (the best ones when restored) and
    summary.json, then INCOMPLETE goes, except after an abort, which stays marked. Nothing is
    written for a run that fails before it starts, nor on ranks other than 0. record.json and the
    TensorBoard files come from engine.runs.extras; `extra` goes into record.json (name, sweep...)."""

    def __init__(self, trainer, path: str | os.PathLike, extra: dict[str, Any] | None = None) -> None:
        self.trainer, self.path = trainer, Path(path)
        self.writer: RunWriter | None = None
        self.extras = None
        self.extra = extra
        self.complete = False
        self._snapshot_every = 0
        if trainer.checkpoint_path is None:
            trainer.checkpoint_path = self.path / CHECKPOINT

    def __call__(self, record) -> None:
        from engine.runs.extras import RunExtras
        from engine.training import records as R

        prepared = self.trainer.prepared
        if prepared is None or not prepared.ctx.is_main:
            return
        if isinstance(record, R.Started):
            self.writer = RunWriter(self.path)
            self.writer.mark_incomplete()
            self.writer.write_project(trained_project(self.trainer))
            self.extras = RunExtras(self.trainer, self.path, self.extra)
            self._snapshot_every = snapshots_due(self.trainer.settings.snapshot_every,
                                                 "snapshot_every" in self.trainer.project.training, record.parameters)
            if self._snapshot_every and record.start_epoch == 0:
                write_snapshot(self.path, 0, prepared.gm.state_dict())
        elif self.writer is None:
            return
        elif isinstance(record, R.EpochRecord):
            self.writer.write_metrics(self.trainer.history)
            if self._snapshot_every and record.epoch % self._snapshot_every == 0:
                write_snapshot(self.path, record.epoch, prepared.gm.state_dict())
        elif isinstance(record, R.END_RECORDS):
            aborted = record.reason == "aborted"
            if aborted:
                self.writer.mark_incomplete(ABORTED_NOTE.format(step=record.step))
            self.writer.write_metrics(self.trainer.history)
            self.writer.write_weights(prepared.gm.state_dict())
            summary = record.summary or {"stopped_reason": "failed"}
            if isinstance(record, R.Failed):
                summary = {**summary, "message": record.message}
            self.writer.write_summary(summary)
            if self.extras is not None:
                self.extras(record)
            if not aborted:
                self.writer.mark_complete()
                self.complete = True
            return
        if self.extras is not None:
            self.extras(record)


def trained_project(trainer) -> Project:
    """The project as trained: the network with its Input bound to the dataset, and the settings
    that differ from the defaults."""
    p = trainer.project
    return Project(trainer.prepared.network, p.name, p.description, trainer.data_settings.to_dict(only_changed=True),
                   trainer.settings.to_dict(only_changed=True))


def train_to_directory(trainer, out_dir: str | os.PathLike | None, on_record=None,
                       extra: dict[str, Any] | None = None):
    """Consume `trainer.run()`, calling `on_record(record)` on rank 0, and write the run directory
    `out_dir` (None: none; `extra` goes into its record.json). Returns the end record (Finished,
    Stopped or Failed)."""
    from engine.training import records as R

    recorder = RunRecorder(trainer, out_dir, extra) if out_dir is not None else None
    end = None
    for record in trainer.run():
        if on_record is not None and (trainer.prepared is None or trainer.prepared.ctx.is_main):
            on_record(record)
        if recorder is not None:
            recorder(record)
        if isinstance(record, R.END_RECORDS):
            end = record
    assert end is not None
    return end


@dataclass
class Run:
    path: Path
    project: Project
    summary: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """False while the run is being written, or when it was aborted or cut short (INCOMPLETE)."""
        return not (self.path / INCOMPLETE).exists()

    def weights(self) -> dict[str, torch.Tensor]:
        return load_weights(self.path / WEIGHTS)

    def model(self) -> torch.fx.GraphModule:
        """The compiled network with the run's best weights, in eval mode."""
        from engine.compiler import compile_network

        gm = compile_network(self.project.network)
        try:
            gm.load_state_dict(keyed_for(gm, self.weights()))
        except RuntimeError as error:
            raise RunDirError(f"The weights in '{self.path}' do not fit its project: {error}") from None
        return gm.eval()


def numbered_key(key: str) -> str:
    """A tensor name as saved before numbered submodules kept their numbers: 'layer1._0.conv1.weight'
    is today's 'layer1.0.conv1.weight'."""
    return re.sub(r"(^|\.)_(\d+)(?=\.)", r"\1\2", key)


def keyed_for(model: torch.nn.Module, tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """`tensors` keyed as `model` keys them: a name the model lacks is read in its older spelling
    (`numbered_key`) when the model has that one; the rest as they are."""
    own = model.state_dict().keys()
    return {numbered_key(k) if k not in own and numbered_key(k) in own else k: v for k, v in tensors.items()}


def load_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except FileNotFoundError:
        raise RunDirError(f"Cannot read '{path}': the file does not exist.") from None
    except Exception as error:  # safetensors raises its own error types for damaged files
        raise RunDirError(f"Cannot read '{path}' as safetensors weights: {error}.") from None


def read_run(path: str | os.PathLike) -> Run:
    """Read a run directory written by `layerlab train`."""
    path = Path(path)
    if not (path / PROJECT).is_file():
        raise RunDirError(f"'{path}' is not a LayerLab run directory (no {PROJECT}).")
    project = load_project(path / PROJECT)
    try:
        summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
        lines = (path / METRICS).read_text(encoding="utf-8").splitlines() if (path / METRICS).exists() else []
        metrics = [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        raise RunDirError(f"'{path}' has no {SUMMARY}; the run may not have finished.") from None
    except (OSError, json.JSONDecodeError) as error:
        raise RunDirError(f"Cannot read the run in '{path}': {error}.") from None
    return Run(path, project, summary, metrics)
