"""Regenerate the block screenshots of docs/gui.md in the real window (1280x800): the ResNet sample
built from blocks with the block library, one block opened with its breadcrumb and the Inspector on
an inner block's arguments, and an imported ResNet-18 shown as blocks.

    QT_QPA_PLATFORM=offscreen python docs/images/make_block_screenshots.py
"""

from __future__ import annotations

from shot_kit import ROOT, close, new_window, own_settings, save, settle


def main() -> None:
    own_settings()
    from engine.importers.torchvision_import import import_torchvision

    window = new_window()
    doc, scene = window.document, window.scene

    def shot(name: str) -> None:
        settle(3)
        scene.route_wires()
        window.view.fit()
        save(window, name)

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
    close(window)


if __name__ == "__main__":
    main()
