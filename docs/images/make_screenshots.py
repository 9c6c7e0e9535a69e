"""Regenerate the screenshots of docs/gui.md by building LeNet-5 from scratch in the real window,
through the same actions a person uses (palette double-click, inspector editors, rename, layout).

    QT_QPA_PLATFORM=offscreen python docs/images/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZE = (1500, 940)


def main() -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from gui.app import setup_application
    from gui.main_window import MainWindow

    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(*SIZE)
    window.show()
    edits, net = window.edits, window.document.network

    def add(type_id: str, name: str | None = None, **params) -> str:
        node_id = edits.add_layer(type_id)  # what a double-click in the palette does
        for key, value in params.items():
            editor = window.inspector.editors[key]
            if hasattr(editor, "spins"):
                for spin, v in zip(editor.spins, value if isinstance(value, (list, tuple)) else (value, value)):
                    spin.setValue(v)
            elif hasattr(editor, "spin"):
                editor.spin.setValue(value)
            else:
                window.inspector.apply(key, value)
        if name:
            edits.rename(node_id, name)
        return node_id

    def shot(name: str, focus: str | None = None) -> None:
        QApplication.processEvents()
        window.view.fit(readable=True)
        if focus:
            window.view.centerOn(window.scene.nodes[focus])
        QApplication.processEvents()
        window.grab().save(str(HERE / name))
        print("wrote", name)

    first = add("Input", shape=[1, 28, 28])
    shot("lenet_step1_input.png")
    add("Conv2d", "c1", filters=6, kernel=5, padding=2)
    add("ReLU")
    add("MaxPool2d", "s2")
    shot("lenet_step2_conv.png")
    add("Conv2d", "c3", filters=16, kernel=5)
    add("ReLU")
    s4 = add("MaxPool2d", "s4")
    wrong = add("Dense", units=120)
    window.scene.select_nodes([wrong])
    shot("lenet_step3_error.png", focus=s4)
    edits.delete()
    window.scene.select_nodes([s4])
    add("Flatten")
    add("Dense", "f5", units=120)
    add("ReLU")
    add("Dense", "f6", units=84)
    add("ReLU")
    add("Dense", "f7", units=10)
    add("Output")
    edits.layout()
    window.scene.select_nodes([net.find("c3")])
    shot("lenet_step4_done.png", focus=net.find("s4"))
    window.scene.clearSelection()
    QApplication.processEvents()
    window.view.fit()
    QApplication.processEvents()
    window.grab().save(str(HERE / "lenet_overview.png"))
    print("wrote lenet_overview.png;", len(net), "layers, first", net.name_of(first))
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
