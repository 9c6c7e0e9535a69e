"""Which weights the Play panel uses: a run directory's final weights, or one of its epoch
snapshots (engine.play.snapshots), compiled once and kept; everything here runs on the compute
thread."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import fx

from engine.blocks.paths import keys_in_scope
from engine.play.explain import attribute_with_note, available_methods
from engine.play.inputs import PlayInputError, input_shape, mnist_like, to_model_input
from engine.play.predict import Player, Prediction
from engine.play.snapshots import SnapshotError, list_snapshots, load_snapshot, snapshot_model
from engine.project import load_project
from engine.run_dir import PROJECT, keyed_for, read_run


def drawing_as_input(drawing: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A drawing (H×W, 0..1) as the Input takes it: MNIST-like for 1×28×28, else resized (area
    average) to the Input's height and width, on each channel; PlayInputError for other Inputs."""
    if shape == (1, 28, 28):
        return mnist_like(drawing)
    if len(shape) != 3:
        raise PlayInputError(f"A drawing is an image; this network's Input takes {list(shape)}, not an image.")
    t = torch.from_numpy(np.ascontiguousarray(drawing, dtype=np.float32))[None, None]
    small = torch.nn.functional.interpolate(t, size=tuple(shape[1:]), mode="area")[0]
    return small.repeat(shape[0], 1, 1).numpy()


MAX_CODE = 3  # codes this small get a slider per value


@dataclass
class Answer:
    """What the panel shows for one input: the prediction, the image the network saw (0..1) and the
    attribution map (None when not asked or not possible, `heat_note` then says why)."""

    prediction: Prediction
    seen: np.ndarray
    heat: np.ndarray | None = None
    heat_note: str = ""
    reconstruction: np.ndarray | None = None  # an autoencoder's output, shaped like the input
    code: np.ndarray | None = None  # its code, when it has at most MAX_CODE values (for the sliders)


@dataclass
class PlayModel:
    """A run's network and weights: `epochs` lists the snapshots there are (epoch numbers)."""

    run_dir: Path
    project: Any
    model: torch.nn.Module
    final: dict[str, torch.Tensor]
    snapshots: list[tuple[int, Path]] = field(default_factory=list)
    epoch: int | None = None  # the snapshot in use; None: the final weights
    methods: dict[str, str | None] = field(default_factory=dict)
    live: bool = False  # a run still going: `final` is its latest epoch snapshot
    _player: Player | None = field(default=None, repr=False)

    @property
    def player(self) -> Player:
        """Predictions of the model (made once: it finds the layers to record on first use)."""
        if self._player is None:
            self._player = Player(self.model, self.project)
        return self._player

    @classmethod
    def load(cls, run_dir: str | Path) -> PlayModel:
        run = read_run(run_dir)
        model = run.model().eval()
        final = copy.deepcopy(model.state_dict())
        made = cls(Path(run_dir), run.project, model, final, list_snapshots(run_dir))
        made.methods = available_methods(model, run.project)
        return made

    @classmethod
    def load_live(cls, run_dir: str | Path) -> PlayModel:
        """A run still going: its network (project.layerlab is written when it starts) with the
        weights of its latest epoch snapshot; a SnapshotError while there is none yet."""
        project = load_project(Path(run_dir) / PROJECT)
        snapshots = list_snapshots(run_dir)
        if not snapshots:
            raise SnapshotError("the run has no epoch snapshot yet (training.snapshot_every is 0?)")
        model = snapshot_model(project, snapshots[-1][1])
        made = cls(Path(run_dir), project, model, copy.deepcopy(model.state_dict()), snapshots, live=True)
        made.methods = available_methods(model, project)
        return made

    def card_keys(self, scope: list[tuple[str, int]]) -> dict[str, str]:
        """Node id -> activation key of each layer shown on the canvas at `scope` (the opened blocks
        and repetitions, top level first)."""
        return keys_in_scope(self.model, scope) if isinstance(self.model, fx.GraphModule) else {}

    def use_epoch(self, epoch: int | None) -> None:
        """Load the snapshot of `epoch` (None: the final weights)."""
        if epoch == self.epoch:
            return
        paths = dict(self.snapshots)
        state = self.final if epoch is None or epoch not in paths else load_snapshot(paths[epoch])
        self.model.load_state_dict(keyed_for(self.model, state))
        self.epoch = epoch if epoch in paths else None

    def answer(self, image: np.ndarray, drawn: bool, method: str | None, target: int | None) -> Answer:
        """The prediction (and attribution) for an image in 0..1; a drawing is first made MNIST-like
        when the Input is a 1×28×28 image."""
        shape = input_shape(self.project)
        seen = drawing_as_input(image, shape) if drawn else image
        x = to_model_input(seen, self.project)
        prediction = self.player.predict(x)
        heat, note = None, ""
        if method:
            reason = self.methods.get(method)
            if reason:
                note = reason
            elif prediction.top:
                cls = target if target is not None else prediction.top[0][0]
                heat, note = attribute_with_note(self.model, self.project, x, method, cls)
                heat = heat if heat.ndim == 2 else None
        answer = Answer(prediction, np.asarray(seen, dtype=np.float32), heat, note)
        if prediction.probabilities is None and prediction.reconstruction.shape == tuple(shape):
            answer.reconstruction = prediction.reconstruction
            if self.player.code_layer is not None:
                code = self.player.encode(x)
                answer.code = code if code.size <= MAX_CODE else None
        return answer

    def decode(self, code: np.ndarray) -> np.ndarray:
        """An autoencoder's output for a code, shaped like the input."""
        return self.player.decode(code).reshape(input_shape(self.project))
