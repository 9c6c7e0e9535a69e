"""The trainer: a generator of plain records, controlled between steps from any thread.

    trainer = Trainer(project)                 # refuses bad settings or a broken graph right away
    trainer = Trainer(project, control=c)      # or steered through a Control made before it
    for record in trainer.run():               # Started, StepRecord, EpochRecord, EvalRecord,
        ...                                    # ProbeRecord, Paused, then Finished/Stopped/Failed
    trainer.pause(); trainer.step_once(); trainer.resume(); trainer.stop(); trainer.set_lr(0.01)
    trainer.abort()                            # at once, without the final evaluation (closing)

The epoch loop itself is engine.training.loop.TrainingLoop (shared with the training_script
export); the trainer adds the records, run control, probes and checkpoints through its hooks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import torch
from torch import fx

from engine.data.dataset import Dataset
from engine.data.settings import DatasetSettings
from engine.errors import LayerLabError
from engine.project import Project
from engine.training import records as R
from engine.training.checkpoint import load_checkpoint, save_checkpoint
from engine.training.control import Control
from engine.training.device import describe_device, oom_message
from engine.training.evaluate import EvaluationAborted
from engine.training.loop import LOG_FRACTION, LOG_SECONDS, EpochResult, TrainingLoop, weights_copy
from engine.training.probes import ProbeCollector
from engine.training.settings import TrainingSettings
from engine.training.setup import Prepared, check_combination, check_network, move_eval_splits, prepare

__all__ = ["CHECKPOINT_MIN_SECONDS", "LOG_FRACTION", "LOG_SECONDS", "Trainer"]


CHECKPOINT_MIN_SECONDS = 5.0
"""Periodic checkpoints are skipped when the last one is more recent (tiny epochs); the final
checkpoint is always written."""

class Trainer(TrainingLoop):
    """Trains a project's network on its dataset. See docs/training.md for the record protocol."""

    def __init__(self, project: Project, *, settings: TrainingSettings | dict | None = None,
                 dataset_settings: DatasetSettings | dict | None = None, dataset: Dataset | None = None,
                 model: fx.GraphModule | None = None, checkpoint_path: str | os.PathLike | None = None,
                 resume_from: str | os.PathLike | dict | None = None, control: Control | None = None) -> None:
        """`control` steers the run from other threads (a new one if not given; the trainer's
        pause/stop/... methods forward to it)."""
        self.project = project
        super().__init__(settings if isinstance(settings, TrainingSettings) else TrainingSettings.from_dict(
            project.training if settings is None else settings))
        self.data_settings = dataset_settings if isinstance(dataset_settings, DatasetSettings) else \
            DatasetSettings.from_dict(project.dataset if dataset_settings is None else dataset_settings)
        check_combination(self.settings, self.data_settings)
        check_network(project.network)
        self.control = control if control is not None else Control()
        self.checkpoint_path = checkpoint_path
        self._resume = load_checkpoint(resume_from) if isinstance(resume_from, (str, os.PathLike)) else resume_from
        self._dataset, self._model = dataset, model
        self.prepared: Prepared | None = None
        self.history: list[dict[str, Any]] = []
        self.final: dict[str, Any] = {}
        self.probe_every = self.settings.probe_every
        self._last_probe_at = float("-inf")  # time.monotonic() of the last probe
        self.train_seconds = self.wall_seconds = 0.0
        self._train_seconds_before = 0.0
        self._last_checkpoint = -CHECKPOINT_MIN_SECONDS

    # -- control, from any thread -----------------------------------------------------------
    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def stop(self) -> None:
        self.control.stop()

    def abort(self) -> None:
        self.control.abort()

    def step_once(self) -> None:
        self.control.step_once()

    def set_lr(self, lr: float) -> None:
        self.control.set_lr(lr)

    def set_probe_every(self, steps: int) -> None:
        self.control.set_probe_every(steps)

    def request_probe(self) -> None:
        self.control.request_probe()

    @property
    def model(self) -> fx.GraphModule | None:
        return self.prepared.gm if self.prepared else self._model

    # -- the run --------------------------------------------------------------------------
    def run(self) -> Iterator[R.Record]:
        """Yield records until the run ends with Finished, Stopped or Failed (never raises for
        problems a person can fix: they arrive as Failed with the message)."""
        wall = time.perf_counter()
        try:
            self.prepared = p = prepare(self.project.network, self.settings, self.data_settings, self._dataset,
                                        self._model)
            self._build(p)
        except LayerLabError as error:
            yield R.Failed(str(error))
            return
        except torch.OutOfMemoryError:
            yield R.Failed(oom_message(self.settings.batch_size, torch.device("cuda")))
            return
        yield R.Started(describe_device(p.device), p.ctx.world_size, sum(t.numel() for t in p.gm.parameters()),
                        len(p.dataset.train), len(p.dataset.val), len(p.dataset.test), p.steps_per_epoch,
                        p.batch_size, self.settings.epochs, self.epoch, self.step, tuple(p.notes),
                        self.settings.max_steps)
        failure = None
        try:
            yield from self.train_epochs()
        except torch.OutOfMemoryError:
            failure, self.stopped_reason = oom_message(p.batch_size, p.device), "out_of_memory"
        except FloatingPointError as error:
            failure, self.stopped_reason = str(error), "non_finite_loss"
        except EvaluationAborted:
            self.stopped_reason = "aborted"
        self.clock.pause()
        self.train_seconds = self._train_seconds_before + self.clock.total
        restored = False
        if self.stopped_reason != "out_of_memory":
            restored = self.restore_weights(non_finite=self.stopped_reason == "non_finite_loss")
            try:
                if self.stopped_reason != "aborted":
                    yield from self._final_evaluation()
                    self._write_checkpoint()
            except EvaluationAborted:  # closing: no final numbers, and no checkpoint to resume from
                self.stopped_reason = "aborted"
        self.wall_seconds = time.perf_counter() - wall
        summary = self.summary()
        end = (self.step, self.epochs_run, summary["best_step"], summary["best_epoch"])
        evaluated = self.tracker.best is not None
        details = {"summary": summary, "monitor": self.settings.monitor if evaluated else "",
                   "best_value": self.tracker.best, "restored_best": restored,
                   "evaluations_since_best": self.tracker.bad_evaluations if evaluated else 0,
                   "eval_every": self.settings.eval_every}
        if failure:
            yield R.Failed(failure, *end, **details)
        elif self.stopped_reason in ("stopped", "aborted"):
            yield R.Stopped(self.stopped_reason, *end, **details)
        else:
            yield R.Finished(self.stopped_reason, *end, **details)

    def _build(self, p: Prepared) -> None:
        move_eval_splits(p.dataset, p.device)
        self.attach(p.gm, p.plan, p.loss_fn, p.correct_fn, p.dataset.val, p.device, p.ctx,
                    p.dataset.task == "reconstruction")
        self._probes: ProbeCollector | None = None
        if self._resume is not None:
            self._load_resume(self._resume)
            self.last_good = weights_copy(p.gm)

    # -- the loop's hooks (engine.training.loop) --------------------------------------------
    def interrupted(self) -> bool:
        return self.control.pending

    def interruption(self, epoch: int) -> Iterator[R.Record]:
        """Apply pending requests; returns 'stop', 'single' (one step while paused) or None."""
        control = self.control
        yield from self._apply_requests(epoch)
        announced = False
        while True:
            if control.stop_requested:
                self.stopped_reason = "aborted" if control.aborted else "stopped"
                return "stop"
            if not control.paused:
                return None
            if control.take_single_step():
                return "single"
            if not announced:
                announced = True
                yield R.Paused(self.step, epoch)
                continue
            control.wait_while_paused()
            yield from self._apply_requests(epoch)

    def log_step(self, epoch: int, batch: int, loss: float, samples_seen: int) -> list[R.Record]:
        elapsed = self._train_seconds_before + self.clock.total
        return [R.StepRecord(self.step, epoch, batch, self.steps_per_epoch, loss, self.schedule.lr, samples_seen,
                             samples_seen / max(elapsed, 1e-9), elapsed)]

    def after_step(self, epoch: int) -> Iterator[R.Record] | None:
        if self.probe_every and self.step % self.probe_every == 0 and \
                time.monotonic() - self._last_probe_at >= self.control.probe_min_seconds:
            return self._probe_now(epoch)
        return None

    def _probe_now(self, epoch: int) -> Iterator[R.Record]:
        yield self._probe(epoch)

    def validated(self, epoch: int, loss: float, accuracy: float | None, is_best: bool) -> list[R.Record]:
        return [R.EvalRecord(self.step, epoch, "val", loss, accuracy, is_best, self.tracker.best_step)]

    def epoch_done(self, result: EpochResult) -> list[R.Record]:
        s = self.settings
        evaluated = result.val_loss is not None
        entry = R.EpochRecord(result.epoch, result.step, result.train_loss, result.train_accuracy, result.lr,
                              result.seconds, result.samples / max(result.seconds, 1e-9),
                              result.val_loss if evaluated else self._last_val("loss"),
                              result.val_accuracy if evaluated else self._last_val("accuracy"))
        self.history.append({k: getattr(entry, k) for k in entry.__dataclass_fields__})
        if (s.checkpoint_every and result.finished and self.epoch % s.checkpoint_every == 0
                and time.monotonic() - self._last_checkpoint >= CHECKPOINT_MIN_SECONDS):
            self._write_checkpoint()
        return [entry]

    def aborted(self) -> bool:
        return self.control.aborted

    def _apply_requests(self, epoch: int) -> Iterator[R.Record]:
        """Take the one-off requests (new lr, probe interval, probe now) made since the last step."""
        for call in self.control.take_calls():
            call()
        lr, probe_every, probe_now = self.control.take()
        if lr is not None:
            self.schedule.set_lr(lr)
        if probe_every is not None:
            self.probe_every = probe_every
        if probe_now:
            yield self._probe(epoch)

    def _last_val(self, key: str) -> float | None:
        return self.history[-1].get(f"val_{key}") if self.history and self.settings.eval_every else None

    def _probe(self, epoch: int) -> R.ProbeRecord:
        self._last_probe_at = time.monotonic()
        p = self.prepared
        if self._probes is None:
            source = p.dataset.val if len(p.dataset.val) and p.dataset.val.in_memory else p.dataset.train
            count = self.settings.probe_samples
            if source.in_memory:
                x = source.x[:count].to(p.device)
                y = None if source.y is None else source.y[:count].to(p.device)
            else:
                pairs = [source.stream[i] for i in range(min(count, len(source)))]
                x = torch.stack([a for a, _ in pairs]).to(p.device)
                y = torch.tensor([b for _, b in pairs], device=p.device)
            self._probes = ProbeCollector(p.gm, x, y, self.settings.histogram_bins)
        return self._probes.collect(self.step, epoch)

    def _final_evaluation(self) -> Iterator[R.EvalRecord]:
        p, classify = self.prepared, self.prepared.correct_fn is not None
        for name, split in (("train", p.dataset.train), ("val", p.dataset.val), ("test", p.dataset.test)):
            loss = acc = None
            if len(split):
                loss, acc = self.evaluate_split(split)
                yield R.EvalRecord(self.step, self.epochs_run, name, loss, acc, final=True)
            self.final[f"{name}_loss"] = loss
            if classify:
                self.final[f"{name}_accuracy"] = acc

    @property
    def epochs_run(self) -> int:
        return self.epoch + (1 if self.batch else 0)

    # -- checkpoints and summary ----------------------------------------------------------
    def checkpoint_state(self) -> dict[str, Any]:
        p = self.prepared
        return {"model": p.gm.state_dict(), "optimizer": self.optimizer.state_dict(),
                "schedule": self.schedule.state_dict(), "step": self.step, "epoch": self.epoch, "batch": self.batch,
                "samples_seen": self.samples_seen, "tracker": self.tracker.state_dict(),
                "rng": torch.get_rng_state(), "history": self.history,
                "train_seconds": self._train_seconds_before + self.clock.total,
                "training": self.settings.to_dict(), "dataset": self.data_settings.to_dict()}

    def _write_checkpoint(self) -> None:
        if self.checkpoint_path and self.prepared.ctx.is_main:
            self.clock.pause()
            save_checkpoint(self.checkpoint_path, self.checkpoint_state())
            self._last_checkpoint = time.monotonic()

    def _load_resume(self, state: dict[str, Any]) -> None:
        from engine.run_dir import keyed_for  # a checkpoint from before numbered submodules kept numbers

        p = self.prepared
        tracker = state["tracker"]
        if isinstance(tracker.get("state"), dict):
            tracker = {**tracker, "state": keyed_for(p.gm, tracker["state"])}
        try:
            p.gm.load_state_dict(keyed_for(p.gm, state["model"]))
            self.optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as error:
            raise LayerLabError(f"The checkpoint does not fit this network or optimizer: {error}") from None
        self.schedule.load_state_dict(state.get("schedule", {}))
        self.step, self.epoch, self.batch = state["step"], state["epoch"], state["batch"]
        self.samples_seen, self.history = state["samples_seen"], list(state["history"])
        self.tracker.load_state_dict(tracker)
        self._train_seconds_before = float(state.get("train_seconds", 0.0))
        torch.set_rng_state(state["rng"])

    def summary(self) -> dict[str, Any]:
        p = self.prepared
        best_step = self.tracker.best_step if self.tracker.best_step is not None else self.step
        best_epoch = self.tracker.best_epoch if self.tracker.best_epoch is not None else self.epochs_run
        run_seconds = max(self.train_seconds - self._train_seconds_before, 1e-9)
        samples_this_run = self.samples_seen - (self._resume or {}).get("samples_seen", 0)
        return {"epochs_run": self.epochs_run, "steps": self.step, "best_epoch": best_epoch, "best_step": best_step,
                "train_seconds": round(self.train_seconds, 4), "wall_seconds": round(self.wall_seconds, 4),
                "samples_per_second": round(samples_this_run / run_seconds, 1),
                "device": describe_device(p.device), "world_size": p.ctx.world_size,
                "stopped_reason": self.stopped_reason, "final": dict(self.final),
                "parameters": sum(t.numel() for t in p.gm.parameters()), "seed": self.settings.seed,
                "dataset": p.dataset.describe(), "training": self.settings.to_dict(only_changed=True)}
