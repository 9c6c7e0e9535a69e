#!/usr/bin/env bash
# The one prepared script for a machine with a CUDA GPU (issue 11), about 8 minutes at most:
# the engine tests with CUDA present (the CUDA-only ones included), then bench_gpu.py.
#   bash benchmarks/run_gpu_checks.sh [output folder]    (run from the repository root)
set -u
out="${1:-gpu_checks}"
mkdir -p "$out"
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$(pwd)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt" 2>&1
timeout 240 python -m pytest -q tests/engine -m 'not slow' -p no:cacheprovider -rs \
    > "$out/tests.txt" 2>&1; echo "tests exit $?" >> "$out/tests.txt"
timeout 300 python benchmarks/bench_gpu.py --repeats 2 > "$out/bench_gpu.txt" 2>&1
echo "bench exit $?" >> "$out/bench_gpu.txt"
tail -n 5 "$out/tests.txt"; cat "$out/bench_gpu.txt"
