"""Where the canvas is inside the project: the chain of opened blocks from the top-level network
down ("network › stage2 › block1"). Each step is a Block node of the network above it and the
repetition shown (a repeated block's repetitions share one definition but not their shapes)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.blocks.definition import BlockDefinition
from engine.graph import Network
from engine.layers.blocks import BLOCK


@dataclass(frozen=True)
class Step:
    """One opened block: its node id in the network above, and which repetition is shown."""

    block: str
    repetition: int = 0


def definition_of(network: Network, block: str) -> BlockDefinition | None:
    """The definition a Block node is an instance of (None when it is not a block or is missing)."""
    if block not in network or network.graph.nodes[block]["type"] != BLOCK or network.library is None:
        return None
    return network.library.get(network.params_view(block)["definition"])


def walk(root: Network, steps: list[Step]) -> list[tuple[Network, Step]]:
    """The valid prefix of `steps`: each step with the network it is taken in; it stops at a step
    whose block is gone or whose definition is missing, or that would enter a definition already
    open above it (a recursive definition)."""
    found: list[tuple[Network, Step]] = []
    current, seen = root, set()
    for step in steps:
        definition = definition_of(current, step.block)
        if definition is None or definition.name in seen:
            break
        seen.add(definition.name)
        found.append((current, step))
        current = definition.network
    return found


def network_at(root: Network, steps: list[Step]) -> Network:
    """The network shown after taking `steps` (all valid: see `walk`)."""
    current = root
    for network, step in walk(root, steps):
        definition = definition_of(network, step.block)
        assert definition is not None
        current = definition.network
    return current


def crumbs(root: Network, steps: list[Step]) -> list[str]:
    """The breadcrumb's labels: 'network', then each opened block's name (with its repetition when
    it repeats: 'stage2 [1/3]')."""
    labels = ["network"]
    for network, step in walk(root, steps):
        repeat = network.params_view(step.block)["repeat"]
        name = network.name_of(step.block)
        labels.append(f"{name} [{step.repetition + 1}/{repeat}]" if isinstance(repeat, int) and repeat > 1 else name)
    return labels
