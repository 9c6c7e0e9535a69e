"""The training signals on the canvas: wires repaint only when their look changes (their tooltip
always has the latest norm), and dead-unit badges go on the layers whose units can die."""

from __future__ import annotations

import numpy as np

from engine.project import load_project
from gui.canvas.scene import CanvasScene
from gui.document.document import Document
from gui.training import canvas_overlay
from tests.gui.conftest import SAMPLES


def lenet_scene() -> CanvasScene:
    return CanvasScene(Document(load_project(SAMPLES / "lenet5.layerlab")))


def norms_of(scene: CanvasScene, scale: float = 1.0) -> dict[str, float]:
    sources = sorted({edge.source for edge in scene.edges})
    return {node_id: scale * 10.0 ** -(i % 5) for i, node_id in enumerate(sources)}


def test_a_wire_repaints_only_when_its_look_changes_but_its_tooltip_follows(qapp, monkeypatch):
    scene = lenet_scene()
    canvas_overlay.show_flow(scene, norms_of(scene))
    flows = {edge: item.flow for edge, item in scene.edges.items()}
    assert all(flow is not None for flow in flows.values())
    assert all(round(f * canvas_overlay.FLOW_STEPS) == f * canvas_overlay.FLOW_STEPS for f in flows.values())
    repainted = []
    for item in scene.edges.values():
        monkeypatch.setattr(item, "update", lambda *a, item=item: repainted.append(item))
    canvas_overlay.show_flow(scene, norms_of(scene, scale=1.001))  # the same strengths, new numbers
    assert repainted == []
    assert {edge: item.flow for edge, item in scene.edges.items()} == flows
    for edge, item in scene.edges.items():
        lines = item.toolTip().split("\n")
        assert lines[0].startswith("carries") and len(lines) == 2
        assert lines[1] == f"gradient flowing back: {norms_of(scene, 1.001)[edge.source]:.2e}"
    norms = norms_of(scene)
    weakest = min(norms, key=norms.get)
    norms[weakest] *= 1e-3  # every other wire is now relatively stronger
    canvas_overlay.show_flow(scene, norms)
    assert repainted and all(item.flow != flows[edge] for edge, item in scene.edges.items()
                             if edge.source != weakest and flows[edge] not in (0.0, 1.0))


def test_dead_unit_badges_go_on_layers_whose_units_can_die(qapp):
    scene = lenet_scene()
    dead = np.zeros((4, 6, 3, 3), np.float32)  # never positive: every unit dead
    activations = {node_id: dead for node_id in scene.nodes}
    canvas_overlay.show_dead_units(scene, activations)
    for item in scene.nodes.values():
        assert (item.live_note == "dead 100%") == item.spec.can_die
    assert any(item.spec.can_die for item in scene.nodes.values())
    canvas_overlay.clear(scene)
    assert all(item.live_note is None for item in scene.nodes.values())
    assert all(item.flow is None for item in scene.edges.values())
