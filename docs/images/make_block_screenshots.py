"""Regenerate the block screenshots of docs/gui.md in the real window (1280x800): the ResNet sample
built from blocks with the block library, one block opened with its breadcrumb and the Inspector on
an inner block's arguments, and an imported ResNet-18 shown as blocks.

    QT_QPA_PLATFORM=offscreen python docs/images/make_block_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZE = (1280, 800)


def main() -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from engine.importers.torchvision_import import import_torchvision
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(*SIZE)
    window.show()
    doc, scene = window.document, window.scene

    def shot(name: str) -> None:
        for _ in range(3):
            QApplication.processEvents()
        scene.route_wires()
        window.view.fit()
        QApplication.processEvents()
        window.grab().save(str(HERE / name))
        print("wrote", name)

    window.files.open_path(ROOT / "sample_projects" / "resnet_mnist.layerlab", ask=False, as_copy=True)
    window.show_dock("Blocks")
    scene.select_nodes([doc.network.find("stage2")])
    shot("blocks_resnet.png")
    window.blocks.open(doc.network.find("stage2"))
    scene.select_nodes([doc.network.find("blocks")])
    shot("blocks_opened.png")
    window.blocks.close_to(0)
    window.document.set_project(import_torchvision("resnet18", (3, 224, 224)).project)
    window.edits.layout()
    scene.select_nodes([doc.network.find("layer2")])
    shot("resnet18_blocks.png")
    doc.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
