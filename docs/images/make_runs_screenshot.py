"""Regenerate docs/images/runs_panel.png: the Runs panel over a history of real-format run
directories (the MNIST perceptron at several widths and learning rates; made-up metrics, as the
runs tests use), two runs selected and the trade-off chart shown, in a 1280x800 window.

    QT_QPA_PLATFORM=offscreen python docs/images/make_runs_screenshot.py
"""

from __future__ import annotations

import os

from shot_kit import close, own_settings, sample_with_dock, save


def main() -> None:
    folder = own_settings() / "runs"
    os.environ["LAYERLAB_RUNS"] = str(folder)
    from tests.engine.runs.helpers import mlp_project, write_run

    for i, (units, lr) in enumerate([(16, 0.1), (32, 0.01), (64, 0.01), (128, 0.001), (64, 0.1), (256, 0.01)]):
        write_run(folder, f"mnist_mlp-{units}-lr{lr}", project=mlp_project(units, lr=lr), started=1.76e9 + 600 * i,
                  epochs=6, tags=["lr-sweep"] if lr != 0.01 else ["width"])
    window = sample_with_dock("mnist_mlp", "Runs", 430)
    panel = window.runs
    panel.select_ids(["mnist_mlp-64-lr0.01", "mnist_mlp-256-lr0.01"])
    save(window, "runs_panel.png")
    close(window)


if __name__ == "__main__":
    main()
