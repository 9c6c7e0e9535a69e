"""Runs history speed: listing and filtering 1,000 runs (goal < 200 ms) and overlaying 10 runs'
curves (goal < 100 ms), on synthetic run directories in the real format (project.layerlab,
summary.json, metrics.jsonl, record.json, annotations.json).

Run: python benchmarks/bench_runs.py [--runs 1000] [--repeats 5]

The reference, measured in the same run, is what listing costs without the index: reading every
run directory (engine.runs.entry.read_entry); the ratio says how much the index saves.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.runs.compare import curves  # noqa: E402
from engine.runs.entry import read_entry  # noqa: E402
from engine.runs.folder import run_dirs  # noqa: E402
from engine.runs.index import RunIndex  # noqa: E402
from tests.engine.runs.helpers import mlp_project, write_run  # noqa: E402

LIST_BUDGET_MS, CURVES_BUDGET_MS = 200.0, 100.0


def make_history(folder: Path, count: int, epochs: int = 20) -> None:
    """`count` run directories: one written by the real writers, the rest copied from it with their
    own values (plain writes: the atomic, synced writes of a real run would only slow the setup)."""
    template = write_run(folder, "template", project=mlp_project(), epochs=epochs)
    rng = random.Random(0)
    project = json.loads((template / "project.layerlab").read_text())
    summary = json.loads((template / "summary.json").read_text())
    record = json.loads((template / "record.json").read_text())
    for i in range(count - 1):
        run = folder / f"mlp-{i:04d}"
        run.mkdir()
        project["training"]["lr"] = rng.choice([0.1, 0.03, 0.01, 0.003])
        project["training"]["batch_size"] = rng.choice([32, 64, 128])
        (run / "project.layerlab").write_text(json.dumps(project, indent=2))
        rows = [{"epoch": e, "step": e * 50, "train_loss": 2.3 / e, "train_accuracy": 1 - 0.8 / e, "lr": 0.01,
                 "seconds": 1.5, "samples_per_second": 4000.0, "val_loss": 2.4 / e, "val_accuracy": 1 - 0.9 / e}
                for e in range(1, epochs + 1)]
        (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        summary["final"]["val_accuracy"] = rng.uniform(0.8, 0.99)
        (run / "summary.json").write_text(json.dumps(summary, indent=2))
        record["started"] = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00"
        (run / "record.json").write_text(json.dumps(record, indent=2))
        tags = ["baseline"] if i % 10 == 0 else [f"sweep:s{i % 7}"]
        (run / "annotations.json").write_text(json.dumps({"tags": tags, "note": f"run {i}"}))


def best_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="layerlab-bench-runs-"))
    try:
        start = time.perf_counter()
        make_history(folder, args.runs)
        print(f"{args.runs} synthetic runs written in {time.perf_counter() - start:.1f} s ({folder})")

        start = time.perf_counter()
        RunIndex(folder).close()
        print(f"first index build (every directory read): {(time.perf_counter() - start) * 1000:.0f} ms")

        def open_and_list():  # what `layerlab runs list` and the Runs panel do: open, refresh, list
            index = RunIndex(folder)
            assert len(index.entries()) == args.runs
            index.close()

        index = RunIndex(folder)
        listing = best_ms(open_and_list, args.repeats)
        refresh = best_ms(index.refresh, args.repeats)
        index.entries()
        filtering = best_ms(lambda: index.entries("run 1", tags={"baseline"}), args.repeats)
        ten = index.entries()[:10]
        overlay = best_ms(lambda: [curves(e) for e in ten], args.repeats)
        reference = best_ms(lambda: [read_entry(p) for p in run_dirs(folder)], max(1, args.repeats // 2))
        listed = listing + filtering
        print(f"open + refresh + list {args.runs} runs: {listing:.1f} ms  (refresh alone {refresh:.1f} ms)")
        print(f"filter by text and tag (warm): {filtering:.2f} ms")
        print(f"listing and filtering: {listed:.1f} ms (goal < {LIST_BUDGET_MS:.0f} ms): "
              f"{'OK' if listed < LIST_BUDGET_MS else 'OVER BUDGET'}")
        print(f"overlay 10 runs' curves ({len(ten)} x 20 epochs): {overlay:.1f} ms (goal < {CURVES_BUDGET_MS:.0f} "
              f"ms): {'OK' if overlay < CURVES_BUDGET_MS else 'OVER BUDGET'}")
        print(f"reference, reading every run directory without the index: {reference:.0f} ms; "
              f"the index lists {reference / listing:.1f}x faster")
        print(f"median of a listing: {statistics.median([best_ms(open_and_list, 1) for _ in range(3)]):.1f} ms")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
