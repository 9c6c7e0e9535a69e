"""Automatic layout speed on a 1,000-layer project (the GUI's budget for open + layout is 1 s in
all; the layout alone should stay well under 0.5 s).

    python benchmarks/bench_layout.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.builder import NetworkBuilder
from engine.graph import Network
from engine.layout import layered_positions, layout_columns

LAYERS = 1000
REPEATS = 15
BUDGET_MS = 500.0


def residual_mlp(layers: int = LAYERS) -> Network:
    """bench_editor.py's project: an MLP trunk with a residual Add every 4 layers."""
    b = NetworkBuilder()
    x = b.add("Input", shape=[64])
    count = 1
    while count < layers - 1:
        block_in = x
        x = b.chain(x, ("Dense", {"units": 64}), ("ReLU",), ("Dense", {"units": 64}))
        x = b.add("Add", block_in, x)
        count += 4
    b.add("Output", x)
    return b.network


def branchy(width: int = 8, depth: int = 125) -> Network:
    """`width` parallel chains of `depth` layers between one Input and one Concatenate."""
    b = NetworkBuilder()
    x = b.add("Input", shape=[16])
    ends = [b.chain(x, *[("Dense", {"units": 16})] * depth) for _ in range(width)]
    b.add("Output", b.add("Concatenate", *ends))
    return b.network


def timed_ms(fn, repeats: int = REPEATS) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    for label, network in (("residual MLP", residual_mlp()), ("8 parallel chains", branchy())):
        for aspect in (1.5, None):
            times = timed_ms(lambda network=network, aspect=aspect: layered_positions(network, aspect=aspect))
            median = statistics.median(times)
            columns = len(layout_columns(network, aspect=aspect))
            print(f"{label}: {len(network)} layers, {len(network.edges())} wires, aspect {aspect}: "
                  f"{columns} column(s); layered_positions median {median:.1f} ms, min {min(times):.1f} ms, "
                  f"max {max(times):.1f} ms (budget {BUDGET_MS:.0f} ms; median/budget = {median / BUDGET_MS:.2f})")


if __name__ == "__main__":
    main()
