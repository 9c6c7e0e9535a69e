"""Start-up time: from launching `layerlab` to the first shown and painted window.

Each run is a fresh process (offscreen, fresh settings, so the first-run sample opens) started with
LAYERLAB_STARTUP_PROBE=1: the app prints the system-wide monotonic time once the main window has
been painted, and quits. The figure is that time minus the moment the process was launched, i.e.
interpreter start, imports, building the window, opening the project and the first paint (torch
then loads in the background; the probe says whether it had been imported already). One untimed
run first warms the disk cache. Goal: under 2.5 s.

    python benchmarks/bench_startup.py [--runs 5] [--project sample_projects/lenet5.layerlab]
    python benchmarks/bench_startup.py --command layerlab    # the venv's console script instead
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 2.5
DEADLINE_SECONDS = 60


def launch_seconds(command: list[str]) -> tuple[float, bool]:
    """One fresh process: seconds from launch to its first painted window, and whether torch had
    been imported by then."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LAYERLAB_STARTUP_PROBE": "1",
               "XDG_CONFIG_HOME": str(Path(home) / "config"), "XDG_DATA_HOME": str(Path(home) / "data"),
               "LAYERLAB_RUNS": str(Path(home) / "runs")}
        start = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=DEADLINE_SECONDS)
    line = next((line for line in result.stdout.splitlines() if line.startswith("startup-probe ")), None)
    if line is None:
        raise SystemExit(f"no startup-probe line from {' '.join(command)} (exit code {result.returncode}); "
                         f"stderr:\n{result.stderr[-2000:]}")
    fields = dict(part.split("=") for part in line.split()[1:])
    return float(fields["monotonic"]) - start, fields.get("torch") == "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", help="a project to open (default: none, the first-run sample)")
    parser.add_argument("--command", default=f"{shlex.quote(sys.executable)} -m gui.launcher",
                        help="how to launch the app (default: %(default)s)")
    args = parser.parse_args()
    command = shlex.split(args.command) + ([args.project] if args.project else [])
    launch_seconds(command)  # untimed: warms the disk cache
    runs = [launch_seconds(command) for _ in range(args.runs)]
    times = [seconds for seconds, _ in runs]
    median = statistics.median(times)
    print(f"start-up to the first painted window ({args.runs} fresh processes, {os.cpu_count()} CPUs): "
          + ", ".join(f"{t:.2f}" for t in times) + " s")
    print(f"median {median:.2f} s (min {min(times):.2f}, max {max(times):.2f}); "
          f"goal {GOAL_SECONDS} s: median/goal = {median / GOAL_SECONDS:.2f}")
    print(f"torch imported before the first paint in {sum(torch for _, torch in runs)} of {args.runs} runs")


if __name__ == "__main__":
    main()
