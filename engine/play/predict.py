"""The Play panel's prediction for one input: class probabilities and top-k, the network's output,
every layer's activations (keyed as engine.training.probes keys them) and, for autoencoders, the
code layer and a decoder from it. Runs in eval mode, without gradients, on one CPU thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import fx, nn

from engine.errors import LayerLabError
from engine.graph import Network
from engine.project import Project
from engine.shapes import infer_shapes
from engine.submodels import SplitError, split_at
from engine.training.boundary import Bounds, grid_points
from engine.training.probes import ProbeCollector, one_thread

TOP_K = 5


@dataclass(frozen=True)
class Prediction:
    """`output`: the network's output for the input (no batch dimension); `probabilities`: softmax of
    the class scores (sigmoid for bce), None when the output is not a class vector, and then
    `no_classes_reason` says why; `top`: the k ≤ 5 likeliest (class, probability), likeliest first;
    `activations`: each layer's output as in a ProbeRecord (batch dimension 1 kept)."""

    output: np.ndarray
    probabilities: np.ndarray | None
    top: list[tuple[int, float]]
    no_classes_reason: str | None
    activations: dict[str, np.ndarray] = field(default_factory=dict)
    input_shape: tuple[int, ...] = ()

    @property
    def reconstruction(self) -> np.ndarray:
        """The output shaped like the input where it has as many values (autoencoders), else as it is."""
        if self.input_shape and self.output.size == int(np.prod(self.input_shape)):
            return self.output.reshape(self.input_shape)
        return self.output


def output_loss(network: Network) -> str:
    (output_id,) = network.nodes_with_role("output")
    return str(network.node(output_id).params.get("loss", "cross_entropy"))


def no_classes_reason(project: Project, output_shape: tuple[int, ...]) -> str | None:
    """Why an output of this shape is not a class vector for this project (None when it is one)."""
    task = project.dataset.get("task", "classification")
    size = "×".join(str(n) for n in output_shape)
    if task == "reconstruction":
        what = f"a {size} image" if len(output_shape) >= 2 else f"{size} values"
        return f"the Output predicts {what} (a reconstruction of the input), not classes"
    if task == "regression":
        return f"the Output predicts {size} value{'s' if size != '1' else ''} (regression), not classes"
    if len(output_shape) != 1:
        return f"the Output gives a {size} array, not one score per class"
    return None


def probabilities_of(scores: torch.Tensor, loss: str) -> torch.Tensor:
    """Class probabilities of one vector of scores: softmax, or sigmoid for bce (one unit: 2 classes)."""
    if loss == "bce":
        p = torch.sigmoid(scores)
        return torch.stack([1 - p[0], p[0]]) if len(p) == 1 else p
    return torch.softmax(scores, dim=0)


def code_layer(project: Project, model: fx.GraphModule | None = None) -> str | None:
    """The node id of an autoencoder's code (the narrowest layer, neither Input nor Output, that
    every path goes through), or None (not a reconstruction project, or no such layer)."""
    found = _code_split(project, model)
    return found[0] if found else None


def _code_split(project: Project, model: fx.GraphModule | None):
    if project.dataset.get("task") != "reconstruction":
        return None
    from engine.compiler import compile_network

    network = project.network
    model = model if isinstance(model, fx.GraphModule) else compile_network(network)
    analysis = infer_shapes(network)
    values = model.meta.get("layerlab_nodes", {})
    order = {node_id: i for i, node_id in enumerate(analysis.order)}
    candidates = sorted((info.activations, order.get(node_id, 0), node_id) for node_id, info in analysis.nodes.items()
                        if network.spec(node_id).role not in ("input", "output") and node_id in values)
    for _, _, node_id in candidates:
        try:
            return node_id, *split_at(model, values[node_id])
        except SplitError:
            continue
    return None


@contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """Eval mode, no gradients, one CPU thread; the model's mode is given back after."""
    was_training = model.training
    model.eval()
    try:
        with one_thread(), torch.no_grad():
            yield
    finally:
        model.train(was_training)


class Player:
    """Predictions of `model` (the compiled network, or any module) for `project`'s inputs. Give it
    the project as trained (a run's project.layerlab, engine.run_dir.trained_project(trainer)): its
    Input shape is the one the model takes. The model may be training meanwhile (call it between
    steps, on the training thread): its mode is given back after each call."""

    def __init__(self, model: nn.Module | fx.GraphModule, project: Project) -> None:
        self.model, self.project = model, project
        self.loss = output_loss(project.network)
        self._probes = ProbeCollector(model, torch.zeros(0), None, 2) if isinstance(model, fx.GraphModule) else None
        self._split: Any = False  # not looked for yet

    @property
    def device(self) -> torch.device:
        return next((p.device for p in self.model.parameters()), torch.device("cpu"))

    def predict(self, x: torch.Tensor) -> Prediction:
        """The prediction for one normalized input (1×C×H×W, or C×H×W)."""
        x = x.float().to(self.device)
        if x.dim() == len(self._input_shape()):
            x = x.unsqueeze(0)
        with one_thread(), torch.no_grad():
            output, activations = self._run(x)
            scores = output[0].float().cpu()
            reason = no_classes_reason(self.project, tuple(scores.shape))
            probabilities = None if reason else probabilities_of(scores, self.loss)
        top: list[tuple[int, float]] = []
        if probabilities is not None:
            values, indices = probabilities.topk(min(TOP_K, len(probabilities)))
            top = [(int(i), float(v)) for v, i in zip(values, indices)]
        return Prediction(scores.numpy(), None if probabilities is None else probabilities.numpy(), top, reason,
                          activations, self._input_shape())

    def _input_shape(self) -> tuple[int, ...]:
        (input_id,) = self.project.network.nodes_with_role("input")
        return tuple(int(n) for n in self.project.network.node(input_id).params["shape"])

    def _run(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, np.ndarray]]:
        if self._probes is not None:
            self._probes.x = x
            try:
                return self._probes._run()
            finally:
                self._probes.x = torch.zeros(0)
        values: dict[str, np.ndarray] = {}
        hooks = [module.register_forward_hook(lambda _m, _a, out, name=name: values.__setitem__(
            name, out.detach().float().cpu().numpy()) if isinstance(out, torch.Tensor) else None)
            for name, module in self.model.named_modules() if name and not list(module.children())]
        try:
            with evaluating(self.model):
                return self.model(x), values
        finally:
            for hook in hooks:
                hook.remove()

    def grid(self, bounds: Bounds, steps: int | tuple[int, int]) -> np.ndarray:
        """For a 2-D input: class probabilities (rows, columns, classes) over an evenly spaced grid on
        `bounds` (x0, x1, y0, y1), row-major from the bottom (engine.training.boundary)."""
        rows, columns = (steps, steps) if isinstance(steps, int) else steps
        points = torch.from_numpy(grid_points(bounds, (rows, columns))).to(self.device)
        with evaluating(self.model):
            scores = self.model(points).float().cpu()
        if self.loss == "bce":
            p = torch.sigmoid(scores)
            probabilities = torch.cat([1 - p, p], dim=1) if p.shape[1] == 1 else p
        else:
            probabilities = torch.softmax(scores, dim=1)
        return probabilities.numpy().reshape(rows, columns, -1)

    # -- autoencoders -------------------------------------------------------------------------
    def _code(self):
        if self._split is False:
            gm = self.model if isinstance(self.model, fx.GraphModule) else None
            self._split = _code_split(self.project, gm) if gm is not None else None
        return self._split

    @property
    def code_layer(self) -> str | None:
        """The node id of the code layer (autoencoders), or None."""
        split = self._code()
        return split[0] if split else None

    def encode(self, x: torch.Tensor) -> np.ndarray:
        """The code of one normalized input (no batch dimension)."""
        _, encoder, _ = self._need_code()
        x = x.float().to(self.device)
        with evaluating(self.model):
            return encoder(x if x.dim() == len(self._input_shape()) + 1 else x.unsqueeze(0))[0].float().cpu().numpy()

    def decode(self, code: np.ndarray) -> np.ndarray:
        """The output for a code (the code layer's values, no batch dimension)."""
        _, _, decoder = self._need_code()
        with evaluating(self.model):
            z = torch.as_tensor(np.asarray(code, np.float32), device=self.device).unsqueeze(0)
            return decoder(z)[0].float().cpu().numpy()

    def _need_code(self):
        split = self._code()
        if split is None:
            raise LayerLabError("This network has no code layer to decode from: it is not an autoencoder with a "
                                "bottleneck every path goes through.")
        return split
