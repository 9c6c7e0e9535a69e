"""The training loop, written once: epochs of shuffled batches, one optimizer step per batch, the
learning-rate schedule, validation, early stopping, max_steps and the weights kept at the end.

Torch-only (no LayerLab imports but the other torch-only modules): engine.training.trainer.Trainer
subclasses TrainingLoop (records, pause / step / stop, probes, checkpoints around it), and the
training_script export embeds this module and subclasses it too (printing), so an exported script
takes the same steps as the app: the same seed gives the same weights.

    loop.attach(model, plan, loss_fn, correct_fn, val, device, ctx, reconstruction)
    for record in loop.train_epochs():     # what the hooks hand over, in order
        ...
    loop.restore_weights()

Hooks (override them): `interrupted()` is asked before every step (cheap: a flag); when it says
True, the generator `interruption(epoch)` runs and returns "stop" (it sets `stopped_reason`),
"single" (take this one step, then report it) or None. `log_step`, `after_step`, `validated` and
`epoch_done` return what to hand over (an iterable; `after_step` returns None when there is
nothing, and a lazy generator otherwise). The training clock is paused while a hook runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from engine.data.splits import Split
from engine.training.batching import BatchPlan, epoch_permutation
from engine.training.device import FiniteWatch, amp_context
from engine.training.distributed import DistContext, all_sum, wrap_model
from engine.training.early_stopping import BestTracker
from engine.training.evaluate import evaluate
from engine.training.graphed_step import capture_blocker, graphed_or_eager
from engine.training.losses import CorrectFn, LossFn
from engine.training.optim import Schedule, build_optimizer, split_decay
from engine.training.steps import make_step

LOG_SECONDS, LOG_FRACTION = 0.25, 0.1
"""Besides every `log_every` steps, a step is logged after the run's first step and whenever
max(LOG_SECONDS, LOG_FRACTION x the training time so far) has passed since the last one: four a
second for the first 2.5 s of training (a chart has points within the first second), then ever
sparser (about 10 more per e-fold of training time), so `log_every` sets the pace of a long run.
Checking the time reads no device value; each logged step costs one `.item()`."""


class Clock:
    """Counts optimization time only: paused around evaluations, hooks and whatever the caller
    does between records."""

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


@dataclass(frozen=True)
class EpochResult:
    """The end of an epoch (or of the part of it that ran): the mean training loss over its steps,
    the accuracy counted during them, the validation at its end (None when there was none)."""

    epoch: int
    step: int
    train_loss: float
    train_accuracy: float | None
    lr: float
    seconds: float
    samples: int
    val_loss: float | None
    val_accuracy: float | None
    finished: bool


def weights_copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class TrainingLoop:
    """The loop's state (`step`, `epoch` done, `batch` done in the epoch in progress,
    `samples_seen`, `stopped_reason`, `tracker`) and its parts (set by `attach`: `module`, the
    model trained, `net`, what the steps run (DDP around it), `optimizer`, `schedule`, ...)."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.step = self.epoch = self.batch = self.samples_seen = 0
        self.stopped_reason = ""
        self.tracker = BestTracker(settings.monitor, settings.patience, settings.min_delta)

    def attach(self, model: nn.Module, plan: BatchPlan, loss_fn: LossFn, correct_fn: CorrectFn | None, val: Split,
               device: torch.device, ctx: DistContext | None = None, reconstruction: bool = False) -> None:
        """Build what the steps need: the optimizer and schedule, the model wrapped for DDP, mixed
        precision, the step function. `model` is on `device` and seeded as the run wants it."""
        s, ctx = self.settings, ctx or DistContext()
        self.module, self.plan, self.batches = model, plan, plan.batches
        self.steps_per_epoch, self.train_size = plan.steps_per_epoch, plan.train_size
        self.loss_fn, self.correct_fn, self.val = loss_fn, correct_fn, val
        self.device, self.ctx, self.reconstruction = device, ctx, reconstruction
        capturable = capture_blocker(model, s, device, ctx.active) is None
        self.optimizer = build_optimizer(model, s, device, capturable=capturable)
        self.schedule = Schedule(self.optimizer, s, plan.steps_per_epoch, plan.train_size)
        self.net = wrap_model(model, device, ctx)
        self.autocast, _, self.scaler = amp_context(device, s.amp)
        weights, others = split_decay(model)
        eager = make_step(self.net, loss_fn, self.optimizer, s, weights, weights + others, self.autocast, self.scaler)
        # the step run per batch (a GraphedStep on CUDA where it can be captured) and, where it
        # cannot, one line saying why ('' on the CPU)
        self.step_fn, self.step_note = graphed_or_eager(eager, model, s, device, ctx.active)
        self.log_every = s.log_every or max(1, plan.steps_per_epoch // 20)
        self.last_good = weights_copy(model)
        self.clock = Clock(device)

    # -- hooks ------------------------------------------------------------------------------
    def interrupted(self) -> bool:
        return False

    def interruption(self, epoch: int) -> Iterator[Any]:
        return None
        yield  # a generator

    def log_step(self, epoch: int, batch: int, loss: float, samples_seen: int) -> Iterable[Any]:
        """Every `log_every` steps, after the first and on the clock (LOG_SECONDS): `loss` is the
        mean since the last one (this rank's)."""
        return ()

    def after_step(self, epoch: int) -> Iterable[Any] | None:
        return None

    def validated(self, epoch: int, loss: float, accuracy: float | None, is_best: bool) -> Iterable[Any]:
        return ()

    def epoch_done(self, result: EpochResult) -> Iterable[Any]:
        return ()

    def aborted(self) -> bool:
        """Asked between evaluation batches: True abandons the evaluation (EvaluationAborted)."""
        return False

    # -- the loop ---------------------------------------------------------------------------
    def train_epochs(self) -> Iterator[Any]:
        """Train until `epochs` are done, `max_steps` are taken, early stopping or a hook ends it
        (`stopped_reason`: completed, max_steps, early_stopping or what the hook set). A loss that
        is not finite raises FloatingPointError (a few steps later on CUDA)."""
        s, ctx, clock, schedule, tracker = self.settings, self.ctx, self.clock, self.schedule, self.tracker
        step_fn, correct_fn, watch, interrupted = self.step_fn, self.correct_fn, FiniteWatch(self.device), \
            self.interrupted
        world = ctx.world_size
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), dtype=torch.long, device=self.device)
        has_val = len(self.val) > 0
        max_steps = s.max_steps or float("inf")
        log_every, first_step, next_log = self.log_every, self.step + 1, LOG_SECONDS
        self.stopped_reason = "completed"
        schedule.keep_lr_tensors()  # a resumed optimizer state must not replace what a graph will read
        while self.epoch < s.epochs:
            epoch = self.epoch + 1
            loss_sum.zero_()
            correct.zero_()
            logged_sum, logged_step, epoch_samples, skip = 0.0, 0, 0, self.batch
            epoch_clock = clock.total
            clock.start()
            order = epoch_permutation(s.seed, self.epoch, self.train_size, ctx.rank, world)
            for index, (xb, yb) in enumerate(self.batches.epoch(order)):
                if index < skip:
                    continue
                single = False
                if interrupted():
                    clock.pause()
                    action = yield from self.interruption(epoch)
                    if action == "stop":
                        return
                    single = action == "single"
                    clock.start()
                out, loss = step_fn(xb, yb)
                loss_sum += loss.detach()
                if correct_fn is not None:
                    correct += correct_fn(out.detach(), yb)
                self.step, self.batch = self.step + 1, index + 1
                epoch_samples += len(xb)
                if not watch.ok(all_sum(loss.detach().clone(), ctx) if ctx.active else loss_sum):
                    clock.pause()
                    raise FloatingPointError(self.nan_message(epoch))
                if schedule.per_step:
                    schedule.after_step()
                if single or self.step % log_every == 0 or self.step == first_step or clock.now() >= next_log:
                    total = loss_sum.item()
                    clock.pause()
                    steps_done = index + 1 - skip
                    mean = (total - logged_sum) / max(1, steps_done - logged_step)
                    logged_sum, logged_step = total, steps_done
                    yield from self.log_step(epoch, index + 1, mean, self.samples_seen + epoch_samples * world)
                    next_log = clock.total + max(LOG_SECONDS, LOG_FRACTION * clock.total)
                    clock.start()
                more = self.after_step(epoch)
                if more is not None:
                    clock.pause()
                    yield from more
                    clock.start()
                if s.eval_every and has_val and self.step % s.eval_every == 0:
                    clock.pause()
                    yield from self.validate(epoch)
                    clock.start()
                    if s.early_stopping and tracker.exhausted:
                        self.stopped_reason = "early_stopping"
                        break
                if self.step >= max_steps:
                    self.stopped_reason = "max_steps"
                    break
            clock.pause()
            steps_done = max(1, self.batch - skip)
            totals = all_sum(torch.stack([loss_sum.double(), correct.double()]), ctx).tolist()
            if not math.isfinite(totals[0]):  # on CUDA the watch reads late: the epoch's last steps
                raise FloatingPointError(self.nan_message(epoch))
            self.samples_seen += epoch_samples * world
            finished = self.batch >= self.steps_per_epoch
            if finished:
                self.epoch, self.batch = self.epoch + 1, 0
            train_loss = totals[0] / steps_done / world
            train_acc = totals[1] / max(1, epoch_samples * world) if correct_fn else None
            val = None
            if has_val and not s.eval_every:
                val = yield from self.validate(epoch)
                if s.early_stopping and tracker.exhausted:
                    self.stopped_reason = "early_stopping"
            if finished:
                schedule.after_epoch(val[0] if val is not None else train_loss)
            seconds = clock.total - epoch_clock
            self.last_good = weights_copy(self.module)
            yield from self.epoch_done(EpochResult(epoch, self.step, train_loss, train_acc, schedule.lr, seconds,
                                                   epoch_samples * world, *(val or (None, None)), finished))
            if self.stopped_reason != "completed":
                return

    def validate(self, epoch: int) -> Iterator[Any]:
        """Evaluate the validation split and tell the tracker; returns (loss, accuracy)."""
        loss, accuracy = self.evaluate_split(self.val)
        value = accuracy if self.settings.monitor == "val_accuracy" else loss
        is_best = self.tracker.update(value, self.step, epoch, self.module)
        yield from self.validated(epoch, loss, accuracy, is_best)
        return loss, accuracy

    def evaluate_split(self, split: Split) -> tuple[float, float | None]:
        """(mean loss, accuracy or None) of the model on a split, in eval mode (all ranks)."""
        return evaluate(self.module, split, self.loss_fn, self.correct_fn, self.settings.eval_batch_size, self.device,
                        self.reconstruction, self.ctx, self.autocast, self.aborted)

    def restore_weights(self, non_finite: bool = False) -> bool:
        """The weights a run ends with: with `restore_best` (and always after a non-finite loss)
        the best evaluation's, or without one those of the last epoch end. True when the best
        evaluation's weights were restored."""
        if not (self.settings.restore_best or non_finite):
            return False
        if self.tracker.restore(self.module):
            return True
        self.module.load_state_dict(self.last_good)
        return False

    def nan_message(self, epoch: int) -> str:
        lr = self.schedule.lr
        return (f"The loss became NaN or infinite at step {self.step} (epoch {epoch}); training stopped and the "
                f"best weights so far were kept. Lower the learning rate (training.lr is {lr:g}; try "
                f"{lr / 10:g}) or clip gradients (training.grad_clip=1)."
                + (" Check the data for NaN values too." if self.settings.grad_clip else ""))
