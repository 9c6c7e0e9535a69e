"""Export time and self-check accuracy per format for one sample project.

Each export includes writing the file, reloading it and comparing a probe batch with the model
(the self-check). The reference measured in the same run is the cheapest export, a state dict
(`torch.save` + reload): each format's time is also printed as a multiple of it.

    python benchmarks/bench_export.py [SAMPLE] [--repeats N] [--threads N]   # SAMPLE: lenet5

Torch runs on one thread by default: these models are small, and on a shared or busy machine
several threads mostly wait for each other (use --threads 0 for torch's default).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from engine.export import FORMATS, ExportError, export, load_source  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", nargs="?", default="lenet5")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    source = load_source(ROOT / "sample_projects" / f"{args.sample}.layerlab")
    params = sum(p.numel() for p in source.model.parameters())
    print(f"sample: {args.sample} ({params:,} parameters, input {tuple(source.input_shape)}), "
          f"median of {args.repeats} exports each, probe batch 3, {torch.get_num_threads()} torch thread(s)")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, fmt in FORMATS.items():
            times, diff, size = [], math.nan, 0
            try:
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    result = export(source, name, Path(folder) / f"model_{name}{fmt.suffix}")
                    times.append(time.perf_counter() - start)
                diff = result.max_abs_diff
                size = result.path.stat().st_size + sum(p.stat().st_size for p in result.extra_files)
            except ExportError as error:
                rows.append((name, None, None, None, str(error).splitlines()[0][:70]))
                continue
            rows.append((name, statistics.median(times), diff, size, ""))
    reference = next(r[1] for r in rows if r[0] == "state_dict")
    print(f"{'format':<18}{'time (ms)':>11}{'x state_dict':>14}{'max abs diff':>15}{'size (KB)':>11}")
    for name, seconds, diff, size, note in rows:
        if seconds is None:
            print(f"{name:<18}  not exported: {note}")
            continue
        diff_text = "unchecked" if math.isnan(diff) else f"{diff:.2e}"
        print(f"{name:<18}{seconds * 1000:>11.1f}{seconds / reference:>14.1f}{diff_text:>15}{size / 1024:>11.1f}")


if __name__ == "__main__":
    main()
