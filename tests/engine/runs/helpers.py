"""Run directories in the real format without training: for the index tests and benchmarks/bench_runs.py."""

from __future__ import annotations

import random
from pathlib import Path

from engine.builder import NetworkBuilder
from engine.project import Project
from engine.run_dir import RunWriter
from engine.runs.record import FORMAT, write_record


def mlp_project(units: int = 16, *, extra_layer: bool = False, **training) -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Flatten",), ("Dense", {"units": units}, "hidden1"), ("ReLU",))
    if extra_layer:
        x = b.chain(x, ("Dense", {"units": 8}, "hidden2"), ("ReLU",))
    x = b.chain(x, ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "mlp", "", {"source": "mnist", "subset": 256}, {"lr": 0.01, **training})


def write_run(folder: Path, run_id: str, *, project: Project | None = None, epochs: int = 3, seed: int = 0,
              started: float = 1.7e9, tags: list[str] | None = None, complete: bool = True) -> Path:
    """A run directory as RunRecorder writes it (no weights or checkpoint), with made-up metrics."""
    rng = random.Random(run_id)
    project = project or mlp_project(units=rng.choice([16, 32, 64]), lr=rng.choice([0.1, 0.01, 0.001]))
    writer = RunWriter(folder / run_id)
    writer.write_project(project)
    rows = []
    for epoch in range(1, epochs + 1):
        loss = 2.3 / epoch * rng.uniform(0.8, 1.2)
        rows.append({"epoch": epoch, "step": epoch * 4, "train_loss": loss, "train_accuracy": 1 - loss / 3,
                     "lr": project.training.get("lr", 0.01), "seconds": 0.5, "samples_per_second": 500.0,
                     "val_loss": loss * 1.1, "val_accuracy": 1 - loss / 2.8})
    writer.write_metrics(rows)
    final = {"train_loss": rows[-1]["train_loss"], "train_accuracy": rows[-1]["train_accuracy"],
             "val_loss": rows[-1]["val_loss"], "val_accuracy": rows[-1]["val_accuracy"],
             "test_loss": rows[-1]["val_loss"], "test_accuracy": rows[-1]["val_accuracy"] - 0.01}
    if complete:
        writer.write_summary({"epochs_run": epochs, "steps": epochs * 4, "best_epoch": epochs, "best_step": epochs * 4,
                              "train_seconds": 0.5 * epochs, "wall_seconds": 0.6 * epochs, "device": "cpu",
                              "stopped_reason": "completed", "final": final, "parameters": 12_730, "seed": seed})
    else:
        writer.mark_incomplete()
    from datetime import datetime, timezone

    write_record(folder / run_id, {"format": FORMAT, "name": project.name, "seed": seed,
                                   "started": datetime.fromtimestamp(started, timezone.utc).isoformat(),
                                   "ended": datetime.fromtimestamp(started + 2, timezone.utc).isoformat()
                                   if complete else None, "device": "cpu", "params": 12_730, "macs": 12_544,
                                   "stop_reason": "completed" if complete else None})
    if tags:
        from engine.runs.annotations import write_annotations

        write_annotations(folder / run_id, tags=tags)
    return folder / run_id
