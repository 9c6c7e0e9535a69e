"""Regenerate the screenshots of docs/gui.md by building LeNet-5 from scratch in the real window,
through the same actions a person uses (File > New, the start page, Ctrl+F and typing, the
inspector's editors, rename, layout), in a 1280x800 window.

    QT_QPA_PLATFORM=offscreen python docs/images/make_screenshots.py
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from shot_kit import close, new_window, own_settings, save, settle


def main() -> None:
    own_settings()
    from engine.importers.torchvision_import import import_torchvision

    window = new_window()
    edits, search = window.edits, window.palette.search

    def routed() -> None:
        settle(3)
        window.scene.route_wires()

    def add(name: str, rename: str | None = None, **params) -> str:
        """Ctrl+F, type the layer's name, Enter: it goes after the selected layer."""
        window.show_palette_search()
        QTest.keyClicks(search, name)
        QTest.keyClick(search, Qt.Key.Key_Return)
        (node_id,) = window.scene.selected_node_ids()
        for key, value in params.items():
            editor = window.inspector.editors[key]
            if hasattr(editor, "spins"):
                for spin, v in zip(editor.spins, value if isinstance(value, (list, tuple)) else (value, value)):
                    spin.setValue(v)
            elif hasattr(editor, "spin"):
                editor.spin.setValue(value)
            else:
                window.inspector.apply(key, value)
        if rename:
            edits.rename(node_id, rename)
        return node_id

    def shot(name: str, fit: bool = True) -> None:
        """Fit the network, or (while building) show the selected layer at actual size."""
        routed()
        if fit:
            window.view.fit()
        elif window.scene.selected_node_ids():
            window.view.resetTransform()
            window.view.centerOn(window.scene.nodes[window.scene.selected_node_ids()[0]].card_rect().center())
        routed()
        window.view._refresh_minimap()
        save(window, name)

    window.act_new.trigger()
    shot("start_page.png", fit=False)
    window.start_page.blank_requested.emit()
    add("input", shape=[1, 28, 28])
    shot("lenet_step1_input.png", fit=False)
    add("conv2d", "c1", filters=6, kernel=5, padding=2)
    add("relu")
    add("maxpool2d", "s2")
    shot("lenet_step2_conv.png", fit=False)
    add("conv2d", "c3", filters=16, kernel=5)
    add("relu")
    s4 = add("maxpool2d", "s4")
    wrong = add("dense", units=120)
    window.scene.select_nodes([wrong])
    shot("lenet_step3_error.png", fit=False)
    edits.delete()
    window.scene.select_nodes([s4])
    add("flatten")
    add("dense", "f5", units=120)
    add("relu")
    add("dense", "f6", units=84)
    add("relu")
    add("dense", "f7", units=10)
    add("output")
    edits.layout()
    window.scene.select_nodes([window.document.network.find("c3")])
    shot("lenet_step4_done.png")
    window.document.set_project(import_torchvision("resnet18", (3, 224, 224), flat=True).project)
    edits.layout()
    shot("resnet18_overview.png")
    close(window)


if __name__ == "__main__":
    main()
