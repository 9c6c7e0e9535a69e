"""Import speed: graph, shapes, layout and weights of torchvision models and of an ONNX file.

Goal (issue 15): ResNet-50's whole import (trace, map to layers, shapes, blocks, layout, weights)
in under 2 s on this machine. The reference measured in the same run is what any fx-based import
pays at least: building the torchvision model and `torch.fx.symbolic_trace` on it; each import is
also printed as a multiple of it.

    python benchmarks/bench_import.py [MODEL ...] [--repeats N]   # default: resnet50 mobilenet_v2 densenet121
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

import torch  # noqa: E402
import torchvision  # noqa: E402
from torch import fx  # noqa: E402

from engine.compiler import compile_network  # noqa: E402
from engine.importers import import_torchvision  # noqa: E402
from engine.layout import apply_layout  # noqa: E402

SHAPE = (3, 224, 224)


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def whole_import(name: str) -> dict[str, float]:
    """Seconds for each part of importing `name` with its (random, seeded) weights."""
    torch.manual_seed(0)
    graph_s, result = timed(lambda: import_torchvision(name, SHAPE, with_weights=True))
    network = result.project.network
    layout_s, _ = timed(lambda: apply_layout(network))
    compile_s, model = timed(lambda: compile_network(network))
    weights_s, report = timed(lambda: result.copy_weights(model))
    assert report.complete, report.summary()
    return {"graph+shapes+blocks": graph_s, "layout": layout_s, "compile": compile_s, "weights": weights_s}


def reference(name: str) -> float:
    """Building the torchvision model and tracing it with torch.fx."""
    return timed(lambda: fx.symbolic_trace(torchvision.models.get_model(name, weights=None).eval()))[0]


def onnx_import(repeats: int) -> None:
    from engine.importers import onnx_import as onnx_mod

    if not onnx_mod.available():
        print("onnx: skipped (pip install 'layerlab[onnx-import]')")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "resnet18.onnx"
        model = torchvision.models.resnet18(weights=None).eval()
        torch.onnx.export(model, (torch.randn(1, *SHAPE),), str(path))  # the default exporter, as LayerLab's own
        times = [timed(lambda: onnx_mod.import_onnx(path, SHAPE))[0] for _ in range(repeats)]
        result = onnx_mod.import_onnx(path, SHAPE)
    print(f"onnx resnet18 (convert, rewrite, import, check against onnxruntime)  median "
          f"{statistics.median(times):6.2f} s   max abs diff vs onnxruntime {result.max_abs_diff:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["resnet50", "mobilenet_v2", "densenet121"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, input {SHAPE}, 1 torch thread")
    for name in args.models:
        whole_import(name)  # warm: first imports load code
        runs = [whole_import(name) for _ in range(args.repeats)]
        ref = statistics.median(reference(name) for _ in range(args.repeats))
        parts = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        total = statistics.median(sum(r.values()) for r in runs)
        detail = ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
        goal = "   goal < 2 s" if name == "resnet50" else ""
        print(f"{name:<14} total {total:5.2f} s ({detail})   reference build+trace {ref:.2f} s   "
              f"{total / ref:4.1f}x{goal}")
    onnx_import(args.repeats)


if __name__ == "__main__":
    main()
