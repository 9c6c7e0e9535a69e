"""Tiny projects for fast training tests.

They train on the CPU (training.device=cpu) unless a test asks for another device: the tests compare
exact weights, seeds and summaries, and bitwise reproducibility is promised on the CPU only (see
docs/training.md, "GPU"). A machine with CUDA runs them as one without."""

from __future__ import annotations

from engine.builder import NetworkBuilder
from engine.project import Project


def spiral_project(samples: int = 200, **training) -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[2])
    x = b.chain(x, ("Dense", {"units": 16}, "hidden"), ("Tanh",), ("Dense", {"units": 2}, "scores"))
    b.add("Output", x)
    settings = {"optimizer": "adam", "lr": 0.02, "batch_size": 32, "epochs": 3, "checkpoint_every": 0,
                "device": "cpu", **training}
    return Project(b.finish(), "tiny spiral", "",
                   {"source": "spiral", "samples": samples, "validation_split": 0.2}, settings)


def mnist_conv_project(subset: int = 256, **training) -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Conv2d", {"filters": 4, "kernel": 5, "stride": 2}, "conv"), ("ReLU",),
                ("Dropout", {}, "drop"), ("BatchNorm2d", {}, "bn"), ("Flatten",),
                ("Dense", {"units": 16}, "fc"), ("ReLU",), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    settings = {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "batch_size": 64, "epochs": 1,
                "device": "cpu", **training}
    return Project(b.finish(), "tiny conv", "",
                   {"source": "mnist", "subset": subset, "test_subset": 200, "validation_split": 0.25}, settings)


def run_all(trainer):
    return list(trainer.run())
