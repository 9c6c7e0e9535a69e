"""Render the window during a real training run (LeNet-5 on an MNIST subset) to a PNG.

    QT_QPA_PLATFORM=offscreen python docs/images/make_training_screenshot.py docs/images/training.png
"""

from __future__ import annotations

import sys
import time

from shot_kit import ROOT, close, new_window, own_settings, wait


def main(out: str, sample: str = "lenet5", tab: str = "Loss", select: str = "c1") -> None:
    own_settings()
    window = new_window(1600, 1000)
    window.files.open_path(ROOT / "sample_projects" / f"{sample}.layerlab", ask=False)
    project = window.document.project
    project.dataset = {**project.dataset, "subset": 6000, "test_subset": 1000, "validation_split": 0.1}
    project.training = {**project.training, "epochs": 3}
    window.training.panel.load_sections(project.dataset, project.training)  # the forms show what trains
    window.training.probe_every = 20
    window.training.start()
    wait(lambda: window.training.controller.state != "running", 120)
    window.scene.select_nodes([window.document.network.find(select)])
    views = window.training.views
    views.setCurrentIndex(next(i for i in range(views.count()) if views.tabText(i) == tab))
    window.docks["Training"].raise_()
    pause = time.monotonic() + 1.0
    wait(lambda: time.monotonic() > pause)
    window.grab().save(out)
    print(f"wrote {out}")
    window.training.shutdown()
    close(window)


if __name__ == "__main__":
    main(*sys.argv[1:])
