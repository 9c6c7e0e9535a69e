"""The captured training step: its static buffers, warm-up, replay, eager fallbacks and the reasons
it gives, exercised on the CPU with a host stand-in for torch.cuda.CUDAGraph; on a machine with
CUDA the last tests capture a real graph."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from torch import nn

from engine.training import Finished, Trainer
from engine.training.graphed_step import GraphedStep, StaticBatch, capture_blocker, graphed_or_eager
from engine.training.losses import make_loss
from engine.training.optim import build_optimizer, split_decay
from engine.training.settings import TrainingSettings
from engine.training.steps import make_step
from tests.engine.training.helpers import mnist_conv_project, run_all, spiral_project
from tests.engine.training.test_trainer import regression_project

CUDA = torch.device("cuda")  # a device object needs no GPU; capture_blocker only reads its type


class HostReplay:
    """CPU stand-in for CudaGraphs. `capture` takes the step once and keeps copies of its results
    as the static outputs; `replay` runs the recorded function again (it reads the static input
    buffers, as the graph's kernels do) and copies its results into those same tensors."""

    def __init__(self, fail_capture: bool = False) -> None:
        self.fn: Callable[[], Any] | None = None
        self.warmups, self.fail_capture = 0, fail_capture
        self.static: tuple[torch.Tensor, torch.Tensor] | None = None

    def warmup(self, fn: Callable[[], Any]) -> Any:
        self.warmups += 1
        return fn()

    def capture(self, fn: Callable[[], Any]) -> Any:
        if self.fail_capture:
            raise RuntimeError("operation not permitted when stream is capturing\nmore detail")
        self.fn = fn
        out, loss = fn()
        self.static = (out.detach().clone(), loss.detach().clone())
        return self.static

    def replay(self) -> None:
        out, loss = self.fn()
        self.static[0].copy_(out.detach())
        self.static[1].copy_(loss.detach())


def settings(**changes) -> TrainingSettings:
    return TrainingSettings.from_dict({"optimizer": "adam", "lr": 0.01, **changes})


def setup(seed: int = 0, **changes):
    """A small classifier, its optimizer and eager step, and 7 batches of 8 then one of 3."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.BatchNorm1d(16), nn.Linear(16, 3))
    s = settings(**changes)
    optimizer = build_optimizer(net, s, torch.device("cpu"))
    weights, others = split_decay(net)
    step = make_step(net, make_loss("cross_entropy", 0.0, "classification", 3), optimizer, s, weights,
                     weights + others, None, None)
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(59, 4, generator=generator)
    y = torch.randint(0, 3, (59,), generator=generator)
    batches = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 59, 8)]
    return net, step, batches


def train(step, batches, net) -> list[tuple[torch.Tensor, torch.Tensor]]:
    torch.manual_seed(5)  # the same dropout masks for both runs
    results = []
    for xb, yb in batches:
        out, loss = step(xb, yb)
        results.append((out.detach().clone(), loss.detach().clone()))
    return results


def test_a_replayed_step_takes_the_same_steps_as_the_eager_one_and_runs_the_short_batch_eagerly():
    net_a, eager, batches = setup()
    expected = train(eager, batches, net_a)
    net_b, eager_b, _ = setup()
    backend = HostReplay()
    graphed = GraphedStep(eager_b, backend, warmup=2)
    got = train(graphed, batches, net_b)
    assert (backend.warmups, graphed.replays, graphed.eager_steps) == (2, 5, 1) and graphed.captured
    for (out, loss), (want_out, want_loss) in zip(got, expected):
        assert torch.equal(out, want_out) and torch.equal(loss, want_loss)
    for a, b in zip(net_a.state_dict().values(), net_b.state_dict().values()):
        assert torch.equal(a, b)
    assert got[3][1] is not got[4][1] and graphed.results[1] is backend.static[1]  # static outputs, refilled


def test_after_an_eager_step_between_replays_the_graphs_gradient_tensors_stay_grad_with_its_gradients():
    net, eager, batches = setup()
    params = list(net.parameters())
    graphed = GraphedStep(eager, HostReplay(), warmup=1, params=params)
    train(graphed, batches[:2], net)  # warm-up, capture
    captured = list(graphed.grads)
    assert all(g is not None and p.grad is g for p, g in zip(params, captured))
    graphed(*batches[-1])  # the short batch: eager
    assert all(p.grad is g for p, g in zip(params, captured))
    net_b, eager_b, _ = setup()
    train(eager_b, batches[:2], net_b)
    eager_b(*batches[-1])
    assert all(torch.equal(p.grad, q.grad) for p, q in zip(params, net_b.parameters()))


def test_static_buffers_keep_their_tensors_and_refuse_another_shape_or_dtype():
    xb, yb = torch.randn(4, 2), torch.tensor([0, 1, 1, 0])
    batch = StaticBatch(xb, yb)
    x_id, y_id = batch.x.data_ptr(), batch.y.data_ptr()
    assert batch.load(xb, yb) and torch.equal(batch.x, xb) and torch.equal(batch.y, yb)
    assert batch.load(xb * 2, 1 - yb) and torch.equal(batch.x, xb * 2) and torch.equal(batch.y, 1 - yb)
    assert (batch.x.data_ptr(), batch.y.data_ptr()) == (x_id, y_id)
    assert not batch.load(xb[:3], yb[:3]) and torch.equal(batch.x, xb * 2)
    assert not batch.load(xb.double(), yb) and not batch.load(xb, yb.float())


def test_a_capture_that_fails_falls_back_to_eager_steps_with_a_one_line_note():
    net_a, eager, batches = setup()
    expected = train(eager, batches, net_a)
    net_b, eager_b, _ = setup()
    graphed = GraphedStep(eager_b, HostReplay(fail_capture=True), warmup=1)
    got = train(graphed, batches, net_b)
    assert not graphed.captured and graphed.eager_steps == len(batches) - 1
    assert graphed.note == ("CUDA graph capture failed (RuntimeError: operation not permitted when stream is "
                            "capturing); eager steps from here")
    assert all(torch.equal(a[1], b[1]) for a, b in zip(got, expected))


@pytest.mark.parametrize(("changes", "device", "distributed", "reason"), [
    ({}, CUDA, False, None),
    ({"optimizer": "sgd", "momentum": 0.9, "grad_clip": 1.0, "l1": 1e-4, "schedule": "cosine"}, CUDA, False, None),
    ({"cuda_graphs": "off"}, CUDA, False, "training.cuda_graphs is off"),
    ({}, torch.device("cpu"), False, "CUDA graphs need a CUDA device (this run is on cpu)"),
    ({}, CUDA, True, "not with DDP: its gradient all-reduce is left eager"),
    ({"optimizer": "adagrad"}, CUDA, False, "the adagrad optimizer cannot be captured (only sgd, adam, adamw)"),
    ({"optimizer": "lbfgs"}, CUDA, False, "the lbfgs optimizer cannot be captured (only sgd, adam, adamw)"),
    ({"amp": True}, CUDA, False, "mixed precision (training.amp) is not captured: its casts and GradScaler stay "
                                 "eager"),
])
def test_what_can_be_captured_and_why_not(changes, device, distributed, reason):
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert capture_blocker(net, settings(**changes), device, distributed) == reason


def test_batch_norm_with_a_cumulative_average_is_not_captured():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3, momentum=None))
    assert capture_blocker(net, settings(), CUDA) == ("1: batch norm with momentum None reads its step count on "
                                                      "the host")


def test_off_cuda_the_eager_step_runs_with_a_note_on_mps_only():
    net, eager, _ = setup()
    assert graphed_or_eager(eager, net, settings(), torch.device("cpu")) == (eager, "")
    step, note = graphed_or_eager(eager, net, settings(), torch.device("mps"))
    assert step is eager and note == "Eager training steps: CUDA graphs need a CUDA device (this run is on mps)."


def test_the_trainer_on_the_cpu_keeps_its_eager_step():
    trainer = Trainer(spiral_project(epochs=1))
    end = run_all(trainer)[-1]
    assert isinstance(end, Finished) and trainer.step_note == ""
    assert not isinstance(trainer.step_fn, GraphedStep)


def test_the_training_loop_with_a_replayed_step_ends_with_the_eager_runs_weights_and_records(monkeypatch):
    """The loop reads the step's static outputs (loss sum, accuracy count) before the next replay,
    and a schedule, evaluations and the short last batch (200 samples, batch 64) go on as before."""
    def run(replay: bool):
        if replay:
            monkeypatch.setattr("engine.training.loop.graphed_or_eager",
                                lambda eager, *args: (GraphedStep(eager, HostReplay(), warmup=1), ""))
        trainer = Trainer(mnist_conv_project(subset=200, epochs=2, schedule="cosine", eval_every=2))
        records = run_all(trainer)
        return trainer, [(type(r).__name__, getattr(r, "loss", None)) for r in records]
    eager, eager_records = run(False)
    graphed, graphed_records = run(True)
    assert isinstance(graphed.step_fn, GraphedStep) and graphed.step_fn.replays == 2 * 2 - 1
    assert graphed.step_fn.eager_steps == 2 * 1  # 150 training samples: batches of 64, 64 and 22
    assert graphed_records == eager_records
    for a, b in zip(eager.model.state_dict().values(), graphed.model.state_dict().values()):
        assert torch.equal(a, b)


def test_a_non_finite_loss_the_lagging_watch_has_not_seen_ends_the_run_at_the_epoch_end(monkeypatch, tmp_path):
    """On CUDA the finiteness watch reads a copy made a few steps earlier; the epoch's total catches
    what it has not seen yet (here a watch that never looks)."""
    monkeypatch.setattr("engine.training.device.FiniteWatch.ok", lambda self, value: True)
    trainer = Trainer(regression_project(tmp_path, lr=1e6, device="cpu"))
    records = run_all(trainer)
    end, per_epoch = records[-1], records[0].steps_per_epoch
    assert type(end).__name__ == "Failed" and end.summary["stopped_reason"] == "non_finite_loss"
    step, epoch = (int(t) for t in re.search(r"at step (\d+) \(epoch (\d+)\)", end.message).groups())
    assert step == epoch * per_epoch, end.message  # found at an epoch's end
    assert all(torch.isfinite(t).all() for t in trainer.model.state_dict().values())


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@needs_cuda
def test_on_cuda_the_trainer_replays_a_captured_step_and_learns():
    project = mnist_conv_project(epochs=6, device="cuda", optimizer="adam", lr=0.01, momentum=0.0)
    trainer = Trainer(project)
    records = run_all(trainer)
    assert isinstance(records[-1], Finished), getattr(records[-1], "message", "")
    step = trainer.step_fn
    assert isinstance(step, GraphedStep) and step.captured and step.replays > 0, trainer.step_note or step.note
    final = records[-1].summary["final"]
    assert final["train_accuracy"] > 0.75  # 93-96 % on the CPU (seeds 0-2), 10 % untrained


@needs_cuda
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_every_optimizer_trains_on_cuda(optimizer):
    """fused=True where the optimizer has a CUDA kernel, foreach elsewhere: no crash at the first step."""
    project = spiral_project(epochs=2, device="cuda", optimizer=optimizer, lr=0.05)
    end = run_all(Trainer(project))[-1]
    assert isinstance(end, Finished) and end.reason == "completed", getattr(end, "message", "")


def test_settings_without_cuda_graphs_mean_auto():
    """The exported script passes its settings as a namespace without cuda_graphs: 'auto' is assumed."""
    s = SimpleNamespace(**{k: v for k, v in settings().to_dict().items() if k != "cuda_graphs"})
    assert capture_blocker(nn.Linear(2, 2), s, CUDA) is None
