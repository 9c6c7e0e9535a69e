"""Cost of probes: the same training with probes off and at the app's default interval.

    python benchmarks/bench_probes.py [--project lenet5] [--subset 12000] [--epochs 1] [--repeats 3]

Times cover the whole loop (steps, probes, epoch-end validation), not the final evaluation;
runs alternate and the best of each is reported.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from engine.data.dataset import load_dataset
from engine.project import load_project
from engine.training import DEFAULT_PROBE_EVERY, EpochRecord, ProbeRecord, Started, Trainer

ROOT = Path(__file__).resolve().parents[1]


def timed_run(project, dataset, probe_every: int, epochs: int) -> tuple[float, int, int]:
    trainer = Trainer(project, settings={**project.training, "epochs": epochs, "probe_every": probe_every,
                                         "checkpoint_every": 0, "device": "cpu"}, dataset=dataset)
    start, probes, steps, last = None, 0, 0, 0.0
    for record in trainer.run():
        if isinstance(record, Started):
            start = time.perf_counter()
        elif isinstance(record, ProbeRecord):
            probes += 1
        elif isinstance(record, EpochRecord):
            last, steps = time.perf_counter(), record.step
    return last - start, probes, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="lenet5")
    parser.add_argument("--subset", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    project = load_project(ROOT / "sample_projects" / f"{args.project}.layerlab")
    dataset = load_dataset({**project.dataset, "subset": args.subset, "test_subset": 100,
                            "validation_split": 0.1})
    print(f"{args.project}: {len(dataset.train)} training samples, {args.epochs} epoch(s), batch "
          f"{project.training.get('batch_size')}, {torch.get_num_threads()} threads; probes every "
          f"{DEFAULT_PROBE_EVERY} steps (the app's default)")
    off, on = [], []
    for _ in range(args.repeats):
        off.append(timed_run(project, dataset, 0, args.epochs))
        on.append(timed_run(project, dataset, DEFAULT_PROBE_EVERY, args.epochs))
    best_off, best_on = min(off), min(on)
    probes = best_on[1]
    print(f"probes off : {best_off[0]:.3f} s for {best_off[2]} steps")
    print(f"probes on  : {best_on[0]:.3f} s for {best_on[2]} steps with {probes} probes")
    extra = best_on[0] - best_off[0]
    per_probe = extra / probes * 1000 if probes else float("nan")
    print(f"overhead   : {extra / best_off[0] * 100:+.1f}% ({per_probe:.1f} ms per probe)")


if __name__ == "__main__":
    main()
