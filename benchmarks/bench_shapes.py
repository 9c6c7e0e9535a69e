"""Shape inference speed on a 1,000-node network (goal: well under 20 ms per full re-inference).

Run: python benchmarks/bench_shapes.py
"""

from __future__ import annotations

import statistics
import time

from engine.builder import NetworkBuilder
from engine.compiler import compile_network
from engine.graph import Network
from engine.shapes import infer_shapes

BUDGET_MS = 20.0


def residual_tower(blocks: int) -> Network:
    """Conv/BN/ReLU residual blocks (5 nodes each) on a small image, then a classifier head."""
    b = NetworkBuilder()
    x = b.add("Input", shape=[8, 16, 16])
    for _ in range(blocks):
        body = b.chain(x, ("Conv2d", {"filters": 8, "kernel": 3, "padding": 1}), ("BatchNorm2d",), ("ReLU",),
                       ("Conv2d", {"filters": 8, "kernel": 3, "padding": 1}))
        x = b.add("Add", body, x)
    x = b.chain(x, ("GlobalAvgPool",), ("Dense", {"units": 10}))
    b.add("Output", x)
    return b.network


def timed_ms(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    network = residual_tower(199)
    print(f"network: {len(network)} nodes, {len(network.edges())} edges")
    infer = timed_ms(lambda: infer_shapes(network), 30)
    median = statistics.median(infer)
    print(f"infer_shapes: median {median:.2f} ms, min {min(infer):.2f} ms, max {max(infer):.2f} ms "
          f"(budget {BUDGET_MS:.0f} ms; median/budget = {median / BUDGET_MS:.2f})")
    analysis = infer_shapes(network)
    compile_ms = timed_ms(lambda: compile_network(network, analysis), 3)
    print(f"compile_network (on demand, not per edit): median {statistics.median(compile_ms):.1f} ms")


if __name__ == "__main__":
    main()
