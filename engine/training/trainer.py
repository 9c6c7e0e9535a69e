"""The trainer: a generator of plain records, controlled between steps from any thread.

    trainer = Trainer(project)                 # refuses bad settings or a broken graph right away
    for record in trainer.run():               # Started, StepRecord, EpochRecord, EvalRecord,
        ...                                    # ProbeRecord, Paused, then Finished/Stopped/Failed
    trainer.pause(); trainer.step_once(); trainer.resume(); trainer.stop(); trainer.set_lr(0.01)
    trainer.abort()                            # at once, without the final evaluation (closing)
"""

from __future__ import annotations

import os
import time
from typing import Any, Iterator

import torch
from torch import fx

from engine.data.dataset import Dataset
from engine.data.settings import DatasetSettings
from engine.errors import LayerLabError
from engine.project import Project
from engine.training import records as R
from engine.training.checkpoint import load_checkpoint, save_checkpoint
from engine.training.control import Control
from engine.training.device import FiniteWatch, amp_context, describe_device, oom_message
from engine.training.distributed import all_sum
from engine.training.early_stopping import BestTracker
from engine.training.evaluate import EvaluationAborted, evaluate
from engine.training.optim import Schedule, build_optimizer, split_decay
from engine.training.probes import ProbeCollector
from engine.training.settings import TrainingSettings
from engine.training.setup import Prepared, check_combination, check_network, move_eval_splits, prepare
from engine.training.steps import make_step


CHECKPOINT_MIN_SECONDS = 5.0
"""Periodic checkpoints are skipped when the last one is more recent (tiny epochs); the final
checkpoint is always written."""

LOG_SECONDS, LOG_FRACTION = 0.25, 0.1
"""Besides every `log_every` steps, a StepRecord comes after the run's first step and whenever
max(LOG_SECONDS, LOG_FRACTION x the training time so far) has passed since the last one: four a
second for the first 2.5 s of training (a chart has points within the first second), then ever
sparser (about 10 more per e-fold of training time), so `log_every` sets the pace of a long run.
Checking the time reads no device value; each record costs one `.item()`, as before."""


class _Clock:
    """Counts optimization time only: paused around evaluations, probes, checkpoints and yields."""

    def __init__(self, device: torch.device) -> None:
        self.total, self.started, self.cuda = 0.0, None, device.type == "cuda"

    def start(self) -> None:
        self.started = time.perf_counter()

    def pause(self) -> None:
        if self.started is not None:
            if self.cuda:
                torch.cuda.synchronize()
            self.total += time.perf_counter() - self.started
            self.started = None

    def now(self) -> float:
        """Training time so far, read without waiting for the device (the host's view)."""
        return self.total + (time.perf_counter() - self.started if self.started is not None else 0.0)


class Trainer:
    """Trains a project's network on its dataset. See docs/training.md for the record protocol."""

    def __init__(self, project: Project, *, settings: TrainingSettings | dict | None = None,
                 dataset_settings: DatasetSettings | dict | None = None, dataset: Dataset | None = None,
                 model: fx.GraphModule | None = None, checkpoint_path: str | os.PathLike | None = None,
                 resume_from: str | os.PathLike | dict | None = None) -> None:
        self.project = project
        self.settings = settings if isinstance(settings, TrainingSettings) else TrainingSettings.from_dict(
            project.training if settings is None else settings)
        self.data_settings = dataset_settings if isinstance(dataset_settings, DatasetSettings) else \
            DatasetSettings.from_dict(project.dataset if dataset_settings is None else dataset_settings)
        check_combination(self.settings, self.data_settings)
        check_network(project.network)
        self.control = Control()
        self.checkpoint_path = checkpoint_path
        self._resume = load_checkpoint(resume_from) if isinstance(resume_from, (str, os.PathLike)) else resume_from
        self._dataset, self._model = dataset, model
        self.prepared: Prepared | None = None
        self.step = self.epoch = self.batch = self.samples_seen = 0
        self.history: list[dict[str, Any]] = []
        self.final: dict[str, Any] = {}
        self.stopped_reason = ""
        self.probe_every = self.settings.probe_every
        self.tracker = BestTracker(self.settings.monitor, self.settings.patience, self.settings.min_delta)
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
        self._clock = _Clock(p.device)
        yield R.Started(describe_device(p.device), p.ctx.world_size, sum(t.numel() for t in p.gm.parameters()),
                        len(p.dataset.train), len(p.dataset.val), len(p.dataset.test), p.steps_per_epoch,
                        p.batch_size, self.settings.epochs, self.epoch, self.step, tuple(p.notes),
                        self.settings.max_steps)
        failure = None
        try:
            yield from self._epochs()
        except torch.OutOfMemoryError:
            failure, self.stopped_reason = oom_message(p.batch_size, p.device), "out_of_memory"
        except FloatingPointError as error:
            failure, self.stopped_reason = str(error), "non_finite_loss"
        except EvaluationAborted:
            self.stopped_reason = "aborted"
        self._clock.pause()
        self.train_seconds = self._train_seconds_before + self._clock.total
        restored = False
        if self.stopped_reason != "out_of_memory":
            if self.settings.restore_best or self.stopped_reason == "non_finite_loss":
                restored = self.tracker.restore(p.gm)
                if not restored:
                    self._restore_last_good()
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
        s = self.settings
        move_eval_splits(p.dataset, p.device)
        self.optimizer = build_optimizer(p.gm, s, p.device)
        self.schedule = Schedule(self.optimizer, s, p.steps_per_epoch, p.train_size)
        self.net = p.gm
        if p.ctx.active:
            from torch.nn.parallel import DistributedDataParallel

            self.net = DistributedDataParallel(p.gm, device_ids=[p.device.index] if p.device.type == "cuda" else None)
        self.autocast, _, self.scaler = amp_context(p.device, s.amp)
        weights, others = split_decay(p.gm)
        self.step_fn = make_step(self.net, p.loss_fn, self.optimizer, s, weights, weights + others,
                                 self.autocast, self.scaler)
        self.log_every = s.log_every or max(1, p.steps_per_epoch // 20)
        self._last_good = {k: v.detach().clone() for k, v in p.gm.state_dict().items()}
        self._probes: ProbeCollector | None = None
        if self._resume is not None:
            self._load_resume(self._resume)

    def _epochs(self) -> Iterator[R.Record]:
        p, s, control = self.prepared, self.settings, self.control
        step_fn, correct_fn, watch = self.step_fn, p.correct_fn, FiniteWatch(p.device)
        loss_sum = torch.zeros((), device=p.device)
        correct = torch.zeros((), dtype=torch.long, device=p.device)
        has_val = len(p.dataset.val) > 0
        max_steps = s.max_steps or float("inf")
        first_step, clock, next_log = self.step + 1, self._clock, LOG_SECONDS
        self.stopped_reason = "completed"
        while self.epoch < s.epochs:
            epoch = self.epoch + 1
            loss_sum.zero_()
            correct.zero_()
            logged_sum, logged_step, epoch_samples, skip = 0.0, 0, 0, self.batch
            epoch_clock = self._clock.total
            self._clock.start()
            for index, (xb, yb) in enumerate(p.batches.epoch(p.epoch_permutation(s.seed, self.epoch))):
                if index < skip:
                    continue
                single = False
                if control.pending:
                    self._clock.pause()
                    action = yield from self._handle_control(epoch)
                    if action == "stop":
                        self.stopped_reason = "aborted" if control.aborted else "stopped"
                        return
                    single = action == "single"
                    self._clock.start()
                out, loss = step_fn(xb, yb)
                loss_sum += loss.detach()
                if correct_fn is not None:
                    correct += correct_fn(out.detach(), yb)
                self.step, self.batch = self.step + 1, index + 1
                epoch_samples += len(xb)
                if not watch.ok(all_sum(loss.detach().clone(), p.ctx) if p.ctx.active else loss_sum):
                    self._clock.pause()
                    raise FloatingPointError(self._nan_message(epoch))
                if self.schedule.per_step:
                    self.schedule.after_step()
                if single or self.step % self.log_every == 0 or self.step == first_step or clock.now() >= next_log:
                    total = loss_sum.item()
                    self._clock.pause()
                    steps_done = index + 1 - skip
                    mean = (total - logged_sum) / max(1, steps_done - logged_step)
                    logged_sum, logged_step = total, steps_done
                    seen = self.samples_seen + epoch_samples * p.ctx.world_size
                    elapsed = self._train_seconds_before + self._clock.total
                    yield R.StepRecord(self.step, epoch, index + 1, p.steps_per_epoch, mean, self.schedule.lr, seen,
                                       seen / max(elapsed, 1e-9), elapsed)
                    next_log = clock.total + max(LOG_SECONDS, LOG_FRACTION * clock.total)
                    self._clock.start()
                if self.probe_every and self.step % self.probe_every == 0:
                    self._clock.pause()
                    yield self._probe(epoch)
                    self._clock.start()
                if s.eval_every and has_val and self.step % s.eval_every == 0:
                    self._clock.pause()
                    yield self._validate(epoch)
                    self._clock.start()
                    if s.early_stopping and self.tracker.exhausted:
                        self.stopped_reason = "early_stopping"
                        break
                if self.step >= max_steps:
                    self.stopped_reason = "max_steps"
                    break
            self._clock.pause()
            steps_done = max(1, self.batch - skip)
            totals = all_sum(torch.stack([loss_sum.double(), correct.double()]), p.ctx).tolist()
            self.samples_seen += epoch_samples * p.ctx.world_size
            finished_epoch = self.batch >= p.steps_per_epoch
            if finished_epoch:
                self.epoch, self.batch = self.epoch + 1, 0
            train_loss = totals[0] / steps_done / p.ctx.world_size
            train_acc = totals[1] / max(1, epoch_samples * p.ctx.world_size) if correct_fn else None
            val = None
            if has_val and not s.eval_every:
                val = self._validate(epoch)
                yield val
                if s.early_stopping and self.tracker.exhausted:
                    self.stopped_reason = "early_stopping"
            monitored = val.loss if val is not None else train_loss
            if finished_epoch:
                self.schedule.after_epoch(monitored)
            seconds = self._clock.total - epoch_clock
            entry = R.EpochRecord(epoch, self.step, train_loss, train_acc, self.schedule.lr, seconds,
                                  epoch_samples * p.ctx.world_size / max(seconds, 1e-9),
                                  val.loss if val else self._last_val("loss"), val.accuracy if val else
                                  self._last_val("accuracy"))
            self.history.append({k: getattr(entry, k) for k in entry.__dataclass_fields__})
            self._last_good = {k: v.detach().clone() for k, v in p.gm.state_dict().items()}
            if (s.checkpoint_every and finished_epoch and self.epoch % s.checkpoint_every == 0
                    and time.monotonic() - self._last_checkpoint >= CHECKPOINT_MIN_SECONDS):
                self._write_checkpoint()
            yield entry
            if self.stopped_reason != "completed":
                return

    def _handle_control(self, epoch: int) -> Iterator[R.Record]:
        """Apply pending requests; returns 'stop', 'single' (one step while paused) or None."""
        control = self.control
        yield from self._apply_requests(epoch)
        announced = False
        while True:
            if control.stop_requested:
                return "stop"
            if not control.paused:
                return None
            with control._cv:
                if control.single_steps > 0:
                    control.single_steps -= 1
                    return "single"
            if not announced:
                announced = True
                yield R.Paused(self.step, epoch)
                continue
            control.wait_while_paused()
            yield from self._apply_requests(epoch)

    def _apply_requests(self, epoch: int) -> Iterator[R.Record]:
        """Take the one-off requests (new lr, probe interval, probe now) made since the last step."""
        lr, probe_every, probe_now = self.control.take()
        if lr is not None:
            self.schedule.set_lr(lr)
        if probe_every is not None:
            self.probe_every = probe_every
        if probe_now:
            yield self._probe(epoch)

    def _validate(self, epoch: int) -> R.EvalRecord:
        p = self.prepared
        loss, acc = evaluate(p.gm, p.dataset.val, p.loss_fn, p.correct_fn, self.settings.eval_batch_size, p.device,
                             p.dataset.task == "reconstruction", p.ctx, self.autocast, self._aborted)
        value = acc if self.settings.monitor == "val_accuracy" else loss
        is_best = self.tracker.update(value, self.step, epoch, p.gm)
        return R.EvalRecord(self.step, epoch, "val", loss, acc, is_best, self.tracker.best_step)

    def _aborted(self) -> bool:
        return self.control.aborted

    def _last_val(self, key: str) -> float | None:
        return self.history[-1].get(f"val_{key}") if self.history and self.settings.eval_every else None

    def _probe(self, epoch: int) -> R.ProbeRecord:
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
                loss, acc = evaluate(p.gm, split, p.loss_fn, p.correct_fn, self.settings.eval_batch_size, p.device,
                                     p.dataset.task == "reconstruction", p.ctx, self.autocast, self._aborted)
                yield R.EvalRecord(self.step, self.epochs_run, name, loss, acc, final=True)
            self.final[f"{name}_loss"] = loss
            if classify:
                self.final[f"{name}_accuracy"] = acc

    def _nan_message(self, epoch: int) -> str:
        s = self.settings
        return (f"The loss became NaN or infinite at step {self.step} (epoch {epoch}); training stopped and the "
                f"best weights so far were kept. Lower the learning rate (training.lr is {self.schedule.lr:g}; try "
                f"{self.schedule.lr / 10:g}) or clip gradients (training.grad_clip=1)."
                + (" Check the data for NaN values too." if s.grad_clip else ""))

    def _restore_last_good(self) -> None:
        self.prepared.gm.load_state_dict(self._last_good)

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
                "train_seconds": self._train_seconds_before + self._clock.total,
                "training": self.settings.to_dict(), "dataset": self.data_settings.to_dict()}

    def _write_checkpoint(self) -> None:
        if self.checkpoint_path and self.prepared.ctx.is_main:
            self._clock.pause()
            save_checkpoint(self.checkpoint_path, self.checkpoint_state())
            self._last_checkpoint = time.monotonic()

    def _load_resume(self, state: dict[str, Any]) -> None:
        p = self.prepared
        try:
            p.gm.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as error:
            raise LayerLabError(f"The checkpoint does not fit this network or optimizer: {error}") from None
        self.schedule.load_state_dict(state.get("schedule", {}))
        self.step, self.epoch, self.batch = state["step"], state["epoch"], state["batch"]
        self.samples_seen, self.history = state["samples_seen"], list(state["history"])
        self.tracker.load_state_dict(state["tracker"])
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
