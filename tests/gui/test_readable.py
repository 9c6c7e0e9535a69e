"""Networks read well at any depth: samples open fitted and legible in a 1280x800 window, skip
wires never run behind cards, Fit never shrinks text below readable, an overview for large
networks, names shortened in the middle."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from engine.blocks.expand import flatten
from engine.importers.torchvision_import import import_torchvision
from engine.project import load_project
from gui.canvas.items.node import _METRICS, W, fitted_title, middle_elided
from gui.canvas.view import READABLE_ZOOM
from tests.gui.conftest import SAMPLES

LEGIBLE_ZOOM = 0.75  # card text (9-10 pt) stays at least ~7 pt on screen


def _settle(window) -> None:
    for _ in range(3):
        QApplication.processEvents()
    window.scene.route_wires()


def _wires_behind_cards(window) -> list[tuple[str, str]]:
    """(wire, card) pairs where the wire's drawn path passes over a card it does not connect."""
    found = []
    for edge, item in window.scene.edges.items():
        points = [item.path.pointAtPercent(t / 400) for t in range(401)]
        for node_id, node in window.scene.nodes.items():
            if node_id in (edge.source, edge.target):
                continue
            card = node.card_rect().adjusted(2, 2, -2, -2)
            if any(card.contains(p) for p in points):
                found.append((f"{edge.source}->{edge.target}", node.name))
    return found


@pytest.mark.parametrize("sample", ["mnist_mlp", "lenet5"])
def test_samples_open_fitted_and_legible_in_a_small_window(make_window, sample) -> None:
    window = make_window()
    window.resize(1280, 800)
    _settle(window)
    assert window.files.open_path(SAMPLES / f"{sample}.layerlab", ask=False)
    _settle(window)
    view = window.view
    visible = view.visible_scene_rect()
    assert view.zoom() >= LEGIBLE_ZOOM, view.zoom()
    for item in window.scene.nodes.values():
        assert visible.contains(item.card_rect()), item.name
    assert not window.view.minimap.isVisible()
    assert not _wires_behind_cards(window)


def test_resnet_skip_wires_run_beside_the_cards(make_window) -> None:
    project = load_project(SAMPLES / "resnet_mnist.layerlab")
    project.network = flatten(project.network)  # its residual blocks' layers and skip wires at the top level
    window = make_window()
    window.document.set_project(project)
    window.edits.layout()
    _settle(window)
    assert not _wires_behind_cards(window)


def test_an_imported_resnet18_is_laid_out_readably_with_an_overview(make_window) -> None:
    window = make_window()
    project = import_torchvision("resnet18", (3, 224, 224), flat=True).project  # 60-odd cards
    window.document.set_project(project)
    window.edits.layout()
    _settle(window)
    assert not _wires_behind_cards(window)
    assert window.view.zoom() >= READABLE_ZOOM - 1e-9  # fit scrolls rather than shrink names away
    window.view._refresh_minimap()
    assert window.view.minimap.isVisible()  # the network is larger than the view
    cards = [item.card_rect() for item in window.scene.nodes.values()]
    assert all(not a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1:])
    whole = QRectF()
    for card in cards:
        whole = whole.united(card)
    assert 0.5 < whole.width() / whole.height() < 4  # wrapped into columns, not one long strip


def test_long_names_are_shortened_in_the_middle() -> None:
    short = middle_elided("layer2.0.downsample.0", _METRICS["title"], 100)
    assert short.startswith("layer2") and short.endswith("0") and "…" in short
    assert middle_elided("conv1", _METRICS["title"], 110) == "conv1"
    room = _METRICS["title_small"].horizontalAdvance("layer2…downsample.0") + 1
    font, text = fitted_title("⊞", "layer2.0.downsample.0", room)
    assert (font, text) == ("title_small", "layer2…downsample.0")  # whole parts kept at both ends
    assert fitted_title("▦", "c1", W - 18) == ("title", "▦ c1")


def test_compact_cards_break_long_names_in_two() -> None:
    from gui.canvas.items.node import _compact_font, compact_name

    font, metrics = _compact_font(20.0, True)  # the compact name font at the readable zoom
    assert compact_name("block1_conv1", metrics, 152, 84) == "block1_\nconv1"
    assert compact_name("stem", metrics, 152, 84) == "stem"
