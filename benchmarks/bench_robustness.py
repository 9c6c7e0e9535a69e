"""Reliability figures (issue 16): random networks, damaged project files, and saves killed with -9.

    python benchmarks/bench_robustness.py [--dags 10000] [--files 1000] [--kills 200] [--seed 0]

(a) --dags random networks (engine/robustness/networks.py: every registered layer type, parameters
    each declares valid, random wiring with every port used) through shape inference and compile:
    crashes (any exception but LayerLab's own errors), errors not attributed to a layer, accepted
    networks that do not compile or run, and real shapes (forward pass, eval and training mode)
    that differ from the inferred ones at any layer. Each problem prints with a seed that redraws
    its network: random_network(random.Random(seed)).
(b) --files damaged copies of sample_projects/*.layerlab (engine/robustness/corrupt.py: truncated,
    bytes flipped, wrong JSON types, missing keys, huge numbers, binary junk) opened with
    engine.project.load_project: anything but a ProjectError naming the file is a crash; a file that
    opens must pass (a); every file must be byte for byte as it was.
(c) --kills saves killed with SIGKILL at a random moment: a child process saves a project through
    Project.save (the atomic writer) in a loop, files of varying size; after each kill the file must
    be exactly one complete save, never a partial one.
(d) The 30-minute training soak in the window with every view visible (run by hand, not in CI):
      python benchmarks/bench_robustness.py --soak 30
    opens the app's window on LeNet-5 (MNIST, 1,000 epochs: it trains for the whole soak), puts
    every training view on one wall beside it (as bench_live_training.py does, so each is drawn
    at every refresh), starts the run, and samples this process's resident memory every 30 s.
    It prints the growth from minute 5 (after warm-up) to the end, in MiB and MiB per hour: a
    steady climb over the whole run is a leak. With QT_QPA_PLATFORM=offscreen it runs without a
    display. To follow the real app instead: start `layerlab sample_projects/lenet5.layerlab`,
    set 1,000 epochs, start training, click through every view, and in a second terminal run
    `python benchmarks/bench_robustness.py --watch PID --minutes 30` with the app's PID.
Each part prints its figures; the exit status is 1 when any part found a problem.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_projects").glob("*.layerlab"))
SAVED = ROOT / "sample_projects" / "resnet_mnist.layerlab"  # the largest sample


def part_a(count: int, seed: int) -> int:
    import torch

    from engine.robustness.check import check_network, worst
    from engine.robustness.networks import random_network
    from engine.shapes import infer_shapes

    torch.set_num_threads(1)  # small forward passes: one thread is fastest
    tally, problems, ran_with, refusals = Counter(), [], Counter(), Counter()
    start = time.perf_counter()
    for index in range(count):
        network_seed = seed * 1_000_003 + index
        network = random_network(random.Random(network_seed))
        verdict = check_network(network)
        tally.update(networks=1, layers=len(network), accepted=verdict.accepted, ran=verdict.ran,
                     too_big=verdict.too_big, errors=verdict.errors, refused=not verdict.accepted)
        problems += [(kind, f"{detail} [seed {network_seed}]") for kind, detail in verdict.problems]
        if verdict.ran:
            ran_with.update({network.node(n).type for n in network.node_ids})
        elif not verdict.accepted and not verdict.problems:
            refusals.update(_gist(e.message) for e in infer_shapes(network).errors)
    seconds = time.perf_counter() - start
    kinds = Counter(kind for kind, _ in problems)
    print(f"(a) {tally['networks']:,} random networks ({tally['layers']:,} layers, {seconds:.0f} s): "
          f"{tally['accepted']:,} accepted, {tally['refused']:,} refused with {tally['errors']:,} errors")
    print(f"    accepted and run (eval + training forward, shapes compared at every layer): {tally['ran']:,}; "
          f"too large to run here: {tally['too_big']:,}")
    for kind in ("crash in shape inference", "error not attributed to a layer", "accepted but does not compile",
                 "accepted but its forward pass fails", "real shape differs from the inferred one"):
        print(f"    {kind}: {kinds[kind]}")
    print(f"    layer types run least: {', '.join(f'{t} {n}' for t, n in sorted(ran_with.items(), key=_second)[:5])}")
    print(f"    most frequent refusals: {'; '.join(f'{n}x {m}' for m, n in refusals.most_common(3))}")
    _print_worst(worst(problems))
    return len(problems)


def part_b(count: int, seed: int) -> int:
    from engine.robustness.check import check_project_file, worst
    from engine.robustness.corrupt import corrupt

    rng = random.Random(seed)
    tally, opened, problems = Counter(), Counter(), []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            source = rng.choice(SAMPLES)
            kind, data = corrupt(rng, source.read_bytes())
            path = Path(folder) / f"damaged_{index}.layerlab"
            path.write_bytes(data)
            ok, found = check_project_file(path)
            tally[kind] += 1
            opened[kind] += ok
            problems += [(k, f"[{kind} of {source.name}] {detail}") for k, detail in found]
    kinds = Counter(kind for kind, _ in problems)
    print(f"(b) {count:,} damaged project files: {sum(opened.values()):,} still opened (and passed (a)'s checks), "
          f"{count - sum(opened.values()):,} refused with a ProjectError")
    print("    by damage: " + ", ".join(f"{k} {tally[k]} ({opened[k]} opened)" for k in sorted(tally)))
    for kind in ("crash opening a damaged file", "error that does not name the file", "file changed by opening it"):
        print(f"    {kind}: {kinds[kind]}")
    other = sum(n for kind, n in kinds.items() if "file" not in kind)
    print(f"    problems in files that opened (as in (a)): {other}")
    _print_worst(worst(problems))
    return len(problems)


def part_c(count: int, seed: int) -> int:
    from engine.project import load_project

    rng = random.Random(seed)
    base = load_project(SAVED)
    bad, mid_write, saves = [], 0, []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "saved.layerlab"
        _version(base, 0).save(target)
        for kill in range(count):
            child = subprocess.Popen([sys.executable, __file__, "--save-loop", str(target)], cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True)
            try:
                ready, _, _ = select.select([child.stdout], [], [], 60)
                if not ready or child.stdout.readline().strip() != "ready":
                    raise RuntimeError("the saving process did not start within 60 s")
                time.sleep(rng.uniform(0.0, 0.3))
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=30)
                child.stdout.close()
            leftovers = [p for p in Path(folder).iterdir() if p != target]  # the writer's temporary file
            mid_write += bool(leftovers)
            for leftover in leftovers:
                leftover.unlink()
            data = target.read_bytes()
            try:
                version = int(json.loads(data)["name"].split()[-1])
                intact = data == _version(base, version).to_json().encode()
            except (ValueError, KeyError, IndexError, TypeError):
                version, intact = -1, False
            saves.append(version)
            if not intact:
                bad.append(f"kill {kill + 1}: {len(data):,} bytes, not a complete save")
    print(f"(c) {count} saves killed with SIGKILL: {len(bad)} partial or corrupt files; "
          f"{mid_write} kills landed mid-write (a temporary file was left beside the project, which "
          f"stayed whole); the file held save #{min(saves)} to #{max(saves)} (median "
          f"#{sorted(saves)[len(saves) // 2]})")
    for line in bad[:5]:
        print(f"    {line}")
    return len(bad)


def _version(project, index: int):
    """Save number `index` of the loop: the sample renamed, with a description of varying length."""
    project.name = f"save {index}"
    project.description = "x" * ((index * 7919) % 400_000)
    return project


def save_loop(target: str) -> None:
    """Child of (c): save forever, each version a different size, until killed."""
    from engine.project import load_project

    project = load_project(SAVED)
    print("ready", flush=True)
    index = 0
    while True:
        index += 1
        _version(project, index).save(target)


def watch(pid: int, minutes: float, every: float = 30.0) -> None:
    """(d) by hand: the resident memory of process `pid` every `every` seconds, and its growth."""
    samples: list[tuple[float, float]] = []
    start = time.monotonic()
    while time.monotonic() - start < minutes * 60 and Path(f"/proc/{pid}").exists():
        samples.append(_sample(pid, start))
        time.sleep(every)
    _print_growth(samples)


def soak(minutes: float, every: float = 30.0) -> None:
    """(d): train LeNet-5 in the window with every view visible for `minutes`; memory every `every` s."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

    from engine.project import load_project
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    os.environ.setdefault("LAYERLAB_RUNS", tempfile.mkdtemp(prefix="layerlab-soak-"))  # not the user's runs
    app = QApplication.instance() or QApplication([])
    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    project = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    project.training = {**project.training, "epochs": 1000}
    window.document.set_project(project)
    window.resize(1400, 900)
    window.show()
    wall = QWidget()  # every view visible at once, each refreshed by the views' timer
    grid = QGridLayout(wall)
    for index, panel in enumerate(window.training.views.panels):
        grid.addWidget(panel, index // 3, index % 3)
        panel.show()
    wall.resize(1800, 1200)
    wall.show()
    window.scene.select_nodes([window.document.network.find("c1")])
    samples: list[tuple[float, float]] = []
    start = time.monotonic()
    timer = QTimer()
    timer.timeout.connect(lambda: samples.append(_sample(os.getpid(), start)))
    timer.start(int(every * 1000))
    QTimer.singleShot(int(minutes * 60_000), app.quit)
    window.training.start()
    samples.append(_sample(os.getpid(), start))
    app.exec()
    samples.append(_sample(os.getpid(), start))
    print(f"(d) the run is {window.training.controller.state} after {samples[-1][0]:.1f} min "
          "('running' is expected: it should outlast the soak)")
    window.training.controller.stop()
    window.document.undo_stack.setClean()
    window.close()
    _print_growth(samples)


def _sample(pid: int, start: float) -> tuple[float, float]:
    """(minutes since `start`, resident memory of `pid` in MiB), printed as it is taken."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
    minutes = (time.monotonic() - start) / 60
    print(f"    {minutes:6.1f} min  {rss:8.1f} MiB", flush=True)
    return minutes, rss


def _print_growth(samples: list[tuple[float, float]]) -> None:
    warm = next((s for s in samples if s[0] >= 5), samples[0])
    end = samples[-1]
    hours = max(end[0] - warm[0], 1e-9) / 60
    print(f"(d) memory from minute {warm[0]:.0f} to {end[0]:.0f}: {warm[1]:.0f} -> {end[1]:.0f} MiB "
          f"({end[1] - warm[1]:+.0f} MiB, {(end[1] - warm[1]) / hours:+.0f} MiB per hour)")


def _gist(message: str) -> str:
    """An error message without its layer name and numbers, so that equal errors count together."""
    import re
    return re.sub(r"'[^']*'|\d+", "#", message.split(": ", 1)[-1])[:90]


def _second(item: tuple) -> object:
    return item[1]


def _print_worst(found: list[tuple[str, str, int]]) -> None:
    if found:
        print("    worst offenders:")
    for kind, example, count in found:
        print(f"      {count}x {kind}: {example}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dags", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-loop", help=argparse.SUPPRESS)
    parser.add_argument("--watch", type=int, metavar="PID", help="(d): follow the app's memory")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long --watch follows it")
    parser.add_argument("--soak", type=float, metavar="MINUTES", help="(d): train in the window this long")
    args = parser.parse_args()
    if args.save_loop:
        save_loop(args.save_loop)
    elif args.soak:
        soak(args.soak)
    elif args.watch:
        watch(args.watch, args.minutes)
    else:
        found = part_a(args.dags, args.seed) + part_b(args.files, args.seed) + part_c(args.kills, args.seed)
        print(f"problems found: {found}")
        sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
