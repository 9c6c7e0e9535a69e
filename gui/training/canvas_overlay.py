"""Training signals drawn on the canvas itself: wire width and colour by the gradient flowing
back along it (log scale across the network), and a badge with the share of dead units on
layers whose units can die (`LayerSpec.can_die`: ReLU)."""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
from torch import fx

from engine.blocks.paths import keys_in_scope
from engine.graph import Network
from gui.canvas.scene import CanvasScene

T = TypeVar("T")
DEAD_THRESHOLD = 0.25
FLOW_STEPS = 40  # a wire is 1.2 to 6.2 px wide: steps of 1/8 px, finer than the eye tells


def in_scope(values: dict[str, T], network: Network, scope: list[tuple[str, int]],
             model: fx.GraphModule | None) -> dict[str, T]:
    """Values keyed as probes key them (top-level node ids, inner layers by module path) for the
    layers on the canvas, by their node ids: the top level's, or inside the opened blocks `scope`
    ((Block node id, repetition), top level first) that instance's, found in the run's `model`."""
    if not scope:
        return {key: value for key, value in values.items() if key in network}
    if not isinstance(model, fx.GraphModule):
        return {}
    return {node: values[key] for node, key in keys_in_scope(model, scope).items() if key in values}


def flow_strengths(norms: dict[str, float]) -> dict[str, float]:
    """Node id -> 0..1 position of log10(norm) between the network's weakest and strongest."""
    logs = {n: math.log10(v) for n, v in norms.items() if v > 0 and math.isfinite(v)}
    if not logs:
        return {}
    low, high = min(logs.values()), max(logs.values())
    span = high - low or 1.0
    return {n: (v - low) / span for n, v in logs.items()}


def show_flow(scene: CanvasScene, norms: dict[str, float]) -> None:
    """Each wire's width and colour by the strength of the gradient flowing back along it, in
    FLOW_STEPS steps: a wire is repainted (and with it much of the canvas) only when its look
    changes, while its tooltip always says the latest norm."""
    scene.overlay_shown = True
    strengths = flow_strengths(norms)
    for edge, item in scene.edges.items():
        strength = strengths.get(edge.source)
        text = f"gradient flowing back: {norms[edge.source]:.2e}" if strength is not None else ""
        if strength is not None:
            strength = round(strength * FLOW_STEPS) / FLOW_STEPS
        if strength is not None and strength == item.flow:  # looks the same: only the number is new
            item.setToolTip(item.toolTip().split("\n")[0] + f"\n{text}")
        else:
            item.set_flow(strength, text)


def dead_fraction(activations: np.ndarray) -> float:
    """Share of units (channels, for feature maps) never positive on any probe sample."""
    if activations.size == 0:
        return 0.0
    per_unit = activations.reshape(activations.shape[0], activations.shape[1], -1) if activations.ndim > 2 \
        else activations.reshape(activations.shape[0], -1, 1)
    return float((per_unit <= 0).all(axis=(0, 2)).mean())


def show_dead_units(scene: CanvasScene, activations: dict[str, np.ndarray]) -> None:
    scene.overlay_shown = True
    for node_id, item in scene.nodes.items():
        note = None
        if item.spec.can_die and node_id in activations:
            dead = dead_fraction(activations[node_id])
            note = f"dead {dead:.0%}" if dead >= DEAD_THRESHOLD else None
        item.set_live_note(note)


def clear(scene: CanvasScene) -> None:
    """Remove every training signal from the canvas (cheap when none is shown)."""
    if not getattr(scene, "overlay_shown", False):
        return
    for item in scene.edges.values():
        item.set_flow(None)
    for item in scene.nodes.values():
        item.set_live_note(None)
    scene.overlay_shown = False
