"""benchmarks/bench_gpu.py on a machine without CUDA: it says so, measures nothing and exits 0, fast."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time

import pytest
import torch

from tests.conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "bench_gpu.py"
pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="with CUDA the script runs the whole benchmark")


def test_without_cuda_the_script_says_so_and_exits_0_within_seconds():
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("bench_gpu: no CUDA GPU on this machine") and "nothing measured" in done.stdout
    assert seconds < 15, f"{seconds:.1f} s"  # about 0.2 s without an NVIDIA driver, a second or two with torch


def test_with_a_driver_but_no_usable_gpu_torch_decides(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("bench_gpu", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "no_nvidia_driver", lambda: False)
    assert bench.main([]) == 0
    assert capsys.readouterr().out == f"bench_gpu: no CUDA GPU on this machine (torch {torch.__version__}); " \
                                      "nothing measured.\n"
