"""The training step captured once as a CUDA graph and replayed for every full batch.

Torch-only (no LayerLab imports but the other torch-only modules): the training_script export
embeds this module. On CUDA a small network's step is mostly launch and host overhead; one graph
replay per batch removes it. The step is the eager one (engine.training.steps) run on static
input and target buffers: each batch is copied into them, the graph replays forward, loss,
backward and the optimizer step, and its static outputs are handed back.

    step_fn, note = graphed_or_eager(eager_step, model, s, device, distributed=False)

Where the network or settings cannot be captured, the eager step is used and `note` says why in
one line; a capture that fails at run time falls back the same way (GraphedStep.note), never
with a crash. A batch of another shape (the last, short one) runs eagerly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import torch
from torch import nn

from engine.training.optim import CAPTURABLE
from engine.training.steps import StepFn

if TYPE_CHECKING:
    from engine.training.settings import TrainingSettings

WARMUP_STEPS = 3
"""Eager steps (on a side stream) before the capture: they create the optimizer state, the
cuDNN plans and the autograd buffers that the graph then reuses."""


def capture_blocker(model: nn.Module, s: TrainingSettings, device: torch.device,
                    distributed: bool = False) -> str | None:
    """Why this run's step cannot be captured as a CUDA graph, in one line; None when it can."""
    if getattr(s, "cuda_graphs", "auto") == "off":
        return "training.cuda_graphs is off"
    if device.type != "cuda":
        return f"CUDA graphs need a CUDA device (this run is on {device.type})"
    if distributed:
        return "not with DDP: its gradient all-reduce is left eager"
    if s.optimizer not in CAPTURABLE:
        return f"the {s.optimizer} optimizer cannot be captured (only {', '.join(CAPTURABLE)})"
    if s.amp:
        return "mixed precision (training.amp) is not captured: its casts and GradScaler stay eager"
    for name, module in model.named_modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.training \
                and module.track_running_stats and module.momentum is None:
            return f"{name or 'the network'}: batch norm with momentum None reads its step count on the host"
    return None


class StaticBatch:
    """The static input and target buffers a captured step reads. `load` copies a batch into them
    (True) or, for a batch of another shape or dtype, leaves them alone (False: run it eagerly)."""

    def __init__(self, xb: torch.Tensor, yb: torch.Tensor) -> None:
        self.x, self.y = torch.empty_like(xb), torch.empty_like(yb)

    def fits(self, xb: torch.Tensor, yb: torch.Tensor) -> bool:
        return (xb.shape == self.x.shape and yb.shape == self.y.shape and xb.dtype == self.x.dtype
                and yb.dtype == self.y.dtype and xb.device == self.x.device)

    def load(self, xb: torch.Tensor, yb: torch.Tensor) -> bool:
        if not self.fits(xb, yb):
            return False
        self.x.copy_(xb, non_blocking=True)
        self.y.copy_(yb, non_blocking=True)
        return True


class GraphBackend(Protocol):
    """How a step is warmed up, captured and replayed (CudaGraphs; the tests use a host stand-in)."""

    def warmup(self, fn: Callable[[], Any]) -> Any: ...

    def capture(self, fn: Callable[[], Any]) -> Any:
        """Record `fn` and take its step once; return its (static) results."""

    def replay(self) -> None: ...


class CudaGraphs:
    """torch.cuda.CUDAGraph: warm-up on a side stream, capture, replay."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.graph = device, None
        self.stream = torch.cuda.Stream(device)

    def warmup(self, fn: Callable[[], Any]) -> Any:
        current = torch.cuda.current_stream(self.device)
        self.stream.wait_stream(current)
        with torch.cuda.stream(self.stream):
            result = fn()
        current.wait_stream(self.stream)
        return result

    def capture(self, fn: Callable[[], Any]) -> Any:
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            result = fn()
        self.graph.replay()  # capturing ran nothing: take this batch's step now
        return result

    def replay(self) -> None:
        self.graph.replay()


class GraphedStep:
    """A step function (inputs, targets) -> (outputs, loss) that warms up, captures the eager
    step on static buffers, then replays it; the outputs are the graph's static tensors (read
    them before the next step). `captured` tells whether replays run; `note` says why not."""

    def __init__(self, eager: StepFn, backend: GraphBackend, warmup: int = WARMUP_STEPS,
                 params: list[nn.Parameter] | None = None) -> None:
        self.eager, self.backend, self.warmup_steps = eager, backend, warmup
        self.params = params or []
        self.grads: list[torch.Tensor | None] = []
        self.batch: StaticBatch | None = None
        self.results: tuple[torch.Tensor, torch.Tensor] | None = None
        self.warmed = self.replays = self.eager_steps = 0
        self.note = ""

    @property
    def captured(self) -> bool:
        return self.results is not None

    def _static_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.eager(self.batch.x, self.batch.y)

    def give_up(self, error: BaseException) -> None:
        text = str(error).strip().splitlines()
        self.note = (f"CUDA graph capture failed ({type(error).__name__}: {text[0] if text else ''}); "
                     "eager steps from here")
        self.results, self.backend = None, None

    def eager_between_replays(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """An eager step (a short batch) after the capture: its gradients are copied into the
        graph's gradient tensors, which stay `.grad` (probes read them; replays write them)."""
        result = self.eager(xb, yb)
        for param, static in zip(self.params, self.grads):
            if static is not None and param.grad is not None and param.grad is not static:
                static.copy_(param.grad)
                param.grad = static
        return result

    def __call__(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.backend is None:
            self.eager_steps += 1
            return self.eager(xb, yb)
        if self.batch is None:
            self.batch = StaticBatch(xb, yb)
        if not self.batch.load(xb, yb):
            self.eager_steps += 1
            return self.eager_between_replays(xb, yb) if self.results is not None else self.eager(xb, yb)
        if self.results is not None:
            self.backend.replay()
            self.replays += 1
            return self.results
        try:
            if self.warmed < self.warmup_steps:
                self.warmed += 1
                return self.backend.warmup(self._static_step)
            self.results = self.backend.capture(self._static_step)
            self.grads = [param.grad for param in self.params]
            self.replays += 1
            return self.results
        except Exception as error:  # any capture problem means: stay eager, say why
            self.give_up(error)
            self.eager_steps += 1
            return self.eager(xb, yb)


def graphed_or_eager(eager: StepFn, model: nn.Module, s: TrainingSettings, device: torch.device,
                     distributed: bool = False) -> tuple[StepFn, str]:
    """(the step to run, a one-line note): a GraphedStep where the run can be captured, else the
    eager step and why not ('' on the CPU, where graphs are not expected)."""
    reason = capture_blocker(model, s, device, distributed)
    if reason is None:
        return GraphedStep(eager, CudaGraphs(device), params=[p for p in model.parameters() if p.requires_grad]), ""
    return eager, "" if device.type == "cpu" else f"Eager training steps: {reason}."
