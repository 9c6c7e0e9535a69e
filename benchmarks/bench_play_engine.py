"""The Play panel's engine side, timed on the CPU: a drawing (280×280) made MNIST-like, normalized
and predicted with every layer's activations (goal: median < 50 ms, max < 100 ms), each attribution
method, and the weight snapshot RunRecorder writes at each epoch end. Untrained weights (the timings
do not depend on them). The panel's own drawing is measured by benchmarks/bench_play.py.

Run: python benchmarks/bench_play_engine.py [--repeats 30] [--samples lenet5 mnist_mlp resnet_mnist]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine.compiler import compile_network  # noqa: E402
from engine.play import explain, inputs  # noqa: E402
from engine.play.predict import Player  # noqa: E402
from engine.play.snapshots import write_snapshot  # noqa: E402
from engine.project import load_project  # noqa: E402

PREDICT_MEDIAN_MS, PREDICT_MAX_MS = 50.0, 100.0


def timed(call, repeats: int) -> tuple[float, float]:
    """(median, max) in ms over `repeats` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def bench(name: str, repeats: int) -> bool:
    project = load_project(ROOT / "sample_projects" / f"{name}.layerlab")
    torch.manual_seed(0)
    model = compile_network(project.network).eval()
    images = inputs.test_samples(project, repeats + 1).images
    drawings = [np.kron(image[0], np.ones((10, 10), np.float32)) for image in images]  # as on a 280×280 canvas
    player, turn = Player(model, project), iter(range(10**9))

    def play() -> None:
        drawing = drawings[next(turn) % len(drawings)]
        player.predict(inputs.to_model_input(inputs.mnist_like(drawing), project))

    median, worst = timed(play, repeats)
    ok = median < PREDICT_MEDIAN_MS and worst < PREDICT_MAX_MS
    print(f"{name:14s} {'drawing -> prediction + activations':36s} median {median:6.1f} ms  max {worst:6.1f} ms"
          f"  {'ok' if ok else 'over the goal'}")
    x = inputs.to_model_input(images[0], project)
    for method, reason in explain.available_methods(model, project).items():
        if reason:
            print(f"{name:14s} {method:36s} not available: {reason}")
            continue
        median, worst = timed(lambda m=method: explain.attribute(model, project, x, m, 3), max(5, repeats // 3))
        print(f"{name:14s} {method:36s} median {median:6.1f} ms  max {worst:6.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        median, worst = timed(lambda: write_snapshot(folder, 1, model.state_dict()), max(5, repeats // 3))
    values = sum(t.numel() for t in model.state_dict().values())
    label = f"snapshot ({values:,} values)"
    print(f"{name:14s} {label:36s} median {median:6.1f} ms  max {worst:6.1f} ms")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--samples", nargs="+", default=["lenet5", "mnist_mlp", "resnet_mnist"])
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads (Play runs on one)")
    results = [bench(name, args.repeats) for name in args.samples]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
