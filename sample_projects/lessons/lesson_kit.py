"""Shared pieces of the lesson builders: the Lesson record, datasets and small network helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.builder import NetworkBuilder
from engine.graph import Network
from engine.project import Project

MNIST_SMALL = {"source": "mnist", "task": "classification", "validation_split": 0.1, "subset": 10000,
               "test_subset": 2000}
"""10,000 training digits (9,000 after the validation share) and 2,000 test digits: a lesson trains in seconds."""
MNIST_TINY = {**MNIST_SMALL, "subset": 1000}
"""1,000 training digits: small enough to overfit (early stopping, dropout, augmentation)."""
SPIRAL = {"source": "spiral", "task": "classification", "samples": 1000, "noise": 0.1, "validation_split": 0.2}
QUICK = {"checkpoint_every": 0}


@dataclass(frozen=True)
class Lesson:
    """One entry of lessons.json: a project (built by `make`) and the Markdown that explains it."""

    id: str
    title: str
    text: str
    views: list[str]
    expect: str
    make: Callable[[], Project] = field(compare=False)

    def entry(self) -> dict:
        return {"id": self.id, "title": self.title, "project": f"{self.id}.layerlab", "text": self.text,
                "views": list(self.views), "expect": self.expect}


def mlp(hidden: list[int], activation: str, *, loss: str = "cross_entropy", smoothing: float = 0.0,
        dropout: float = 0.0, batch_norm: bool = False, output_activation: str | None = None) -> Network:
    """A 784-...-10 perceptron for MNIST: Dense layers `fc1`, `fc2`, ..., then `scores`."""
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Flatten",))
    for i, units in enumerate(hidden, 1):
        x = b.chain(x, ("Dense", {"units": units}, f"fc{i}"))
        if batch_norm:
            x = b.chain(x, ("BatchNorm1d", {}, f"bn{i}"))
        x = b.chain(x, (activation, {}, f"{activation.lower()}{i}"))
        if dropout:
            x = b.chain(x, ("Dropout", {"p": dropout}, f"dropout{i}"))
    x = b.chain(x, ("Dense", {"units": 10}, "scores"))
    if output_activation:
        x = b.chain(x, (output_activation, {}, "outputs"))
    params = {"loss": loss, **({"label_smoothing": smoothing} if smoothing else {})}
    b.add("Output", x, **params)
    return b.finish()


def single_layer(input_shape: list[int], layer: str, params: dict, name: str, loss: str = "mse") -> Network:
    """Input -> one layer -> Output: for lessons about one layer's shapes or numbers."""
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=input_shape), (layer, params, name))
    b.add("Output", x, loss=loss)
    return b.finish()
