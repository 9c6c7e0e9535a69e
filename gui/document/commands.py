"""Undoable edits. Each redo()/undo() changes ONLY the engine model; the canvas, inspector and
summary follow the model's change events. `Document.execute` runs redo() once (so a refused edit
never reaches the stack) and sets `skip_next_redo` for the push."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtGui import QUndoCommand

from engine.graph import Edge, Network, NodeData
from engine.layers import get_spec
from engine.layout import layered_positions
from gui.common import style

SET_PARAM_ID = 1001

Position = tuple[float, float]


class ModelCommand(QUndoCommand):
    """Base: one edit of `network`; subclasses implement apply() and revert()."""

    allowed_while_locked = False  # True for edits that cannot change what a training run uses

    def __init__(self, network: Network, text: str) -> None:
        super().__init__(text)
        self.network = network
        self.skip_next_redo = False

    def redo(self) -> None:
        if self.skip_next_redo:
            self.skip_next_redo = False
            return
        self.apply()

    def undo(self) -> None:
        self.revert()

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class AddNodeCommand(ModelCommand):
    def __init__(self, network: Network, type_id: str, position: Position = (0.0, 0.0),
                 params: dict[str, Any] | None = None, name: str | None = None) -> None:
        super().__init__(network, f"Add {get_spec(type_id).display_name}")
        self.type_id, self.position, self.params, self.name = type_id, position, params or {}, name
        self.data: NodeData | None = None

    @property
    def node_id(self) -> str | None:
        return self.data.id if self.data else None

    def apply(self) -> None:
        if self.data is None:
            node_id = self.network.add_node(self.type_id, self.params, name=self.name, position=self.position)
            self.data = self.network.node(node_id)
        else:
            self.network.restore_node(self.data)

    def revert(self) -> None:
        assert self.data is not None
        self.network.remove_node(self.data.id)


def _restore(network: Network, nodes: Iterable[NodeData], edges: Iterable[tuple[int, Edge]]) -> None:
    for data in nodes:
        network.restore_node(data)
    for order, edge in sorted(edges, key=lambda item: item[0]):
        network.connect(edge.source, edge.target, edge.source_port, edge.target_port, order=order)


class RemoveCommand(ModelCommand):
    """Remove nodes (with all their wires) and loose wires, as one step."""

    def __init__(self, network: Network, node_ids: Iterable[str], edges: Iterable[Edge] = ()) -> None:
        self.node_ids = [n for n in node_ids]
        self.loose = [e for e in edges if e.source not in self.node_ids and e.target not in self.node_ids]
        what = (f"{network.name_of(self.node_ids[0])}" if len(self.node_ids) == 1 and not self.loose
                else f"{len(self.node_ids)} layers, {len(self.loose)} wires" if self.loose and self.node_ids
                else f"{len(self.node_ids)} layers" if self.node_ids else
                f"{len(self.loose)} wire{'s' if len(self.loose) != 1 else ''}")
        super().__init__(network, f"Delete {what}")
        self.nodes: list[NodeData] = []
        self.edges: list[tuple[int, Edge]] = []

    def apply(self) -> None:
        net = self.network
        wires = set(self.loose)
        for node_id in self.node_ids:
            wires.update(net.in_edges(node_id) + net.out_edges(node_id))
        self.edges = [(net.edge_order(e), e) for e in wires]
        self.nodes = [net.node(n) for n in self.node_ids]
        for _, edge in sorted(self.edges, key=lambda item: item[0]):
            net.disconnect(edge)
        for node_id in self.node_ids:
            net.remove_node(node_id)

    def revert(self) -> None:
        _restore(self.network, self.nodes, self.edges)


class ConnectCommand(ModelCommand):
    def __init__(self, network: Network, source: str, target: str, source_port: str = "out",
                 target_port: str = "in") -> None:
        super().__init__(network, f"Connect {network.name_of(source)} → {network.name_of(target)}")
        self.edge = Edge(source, target, source_port, target_port)
        self.order: int | None = None

    def apply(self) -> None:
        e = self.edge
        self.network.connect(e.source, e.target, e.source_port, e.target_port, order=self.order)
        self.order = self.network.edge_order(e)

    def revert(self) -> None:
        self.network.disconnect(self.edge)


class DisconnectCommand(ModelCommand):
    def __init__(self, network: Network, edge: Edge) -> None:
        super().__init__(network, f"Disconnect {network.name_of(edge.source)} → {network.name_of(edge.target)}")
        self.edge = edge
        self.order = 0

    def apply(self) -> None:
        self.order = self.network.disconnect(self.edge)

    def revert(self) -> None:
        e = self.edge
        self.network.connect(e.source, e.target, e.source_port, e.target_port, order=self.order)


class MoveCommand(ModelCommand):
    """Move nodes: one command per drag, whatever the number of nodes dragged. Positions change no
    weights, so moving stays allowed while a run is in progress."""

    allowed_while_locked = True

    def __init__(self, network: Network, moves: dict[str, tuple[Position, Position]], text: str = "") -> None:
        count = len(moves)
        super().__init__(network, text or (f"Move {network.name_of(next(iter(moves)))}" if count == 1
                                           else f"Move {count} layers"))
        self.moves = moves

    def apply(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.network.move(node_id, new)

    def revert(self) -> None:
        for node_id, (old, _) in self.moves.items():
            self.network.move(node_id, old)


class LayoutCommand(MoveCommand):
    """Automatic top-to-bottom layered layout (engine/layout.py), wrapped into columns so the
    drawing's width/height comes near `aspect` (the view's shape)."""

    def __init__(self, network: Network, aspect: float | None = None) -> None:
        positions = layered_positions(network, node_size=(style.NODE_WIDTH, style.NODE_HEIGHT),
                                      **({"aspect": aspect} if aspect else {}))
        moves = {n: (network.node(n).position, pos) for n, pos in positions.items()}
        super().__init__(network, moves, text="Automatic layout")


class SetParamCommand(ModelCommand):
    """Change one parameter; consecutive edits of the same field merge into one undo step."""

    def __init__(self, network: Network, node_id: str, name: str, value: Any) -> None:
        label = network.spec(node_id).param(name).display_label
        super().__init__(network, f"Set {network.name_of(node_id)} {label}")
        self.node_id, self.name, self.value = node_id, name, value
        self.old: Any = network.node(node_id).params[name]

    def id(self) -> int:
        return SET_PARAM_ID

    def apply(self) -> None:
        self.network.set_param(self.node_id, self.name, self.value)
        self.value = self.network.node(self.node_id).params[self.name]

    def revert(self) -> None:
        self.network.set_param(self.node_id, self.name, self.old)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SetParamCommand) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        self.value = other.value
        if self.value == self.old:
            self.setObsolete(True)
        return True


class RenameCommand(ModelCommand):
    def __init__(self, network: Network, node_id: str, name: str) -> None:
        super().__init__(network, f"Rename {network.name_of(node_id)} to {name.strip()}")
        self.node_id, self.new = node_id, name
        self.old = network.name_of(node_id)

    def apply(self) -> None:
        self.network.rename(self.node_id, self.new)

    def revert(self) -> None:
        self.network.rename(self.node_id, self.old)


class PasteCommand(ModelCommand):
    """Add copies of nodes and the wires among them (paste, duplicate), with fresh ids and names."""

    def __init__(self, network: Network, nodes: list[NodeData], edges: list[Edge],
                 offset: Position = (40.0, 40.0), text: str = "Paste") -> None:
        super().__init__(network, f"{text} {len(nodes)} layer{'s' if len(nodes) != 1 else ''}")
        self.source_nodes, self.source_edges, self.offset = nodes, edges, offset
        self.nodes: list[NodeData] = []
        self.edges: list[tuple[int, Edge]] = []

    @property
    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    def apply(self) -> None:
        if self.nodes:
            _restore(self.network, self.nodes, self.edges)
            return
        net, dx, dy = self.network, *self.offset
        new_ids: dict[str, str] = {}
        for data in self.source_nodes:
            node_id = net.add_node(data.type, data.params, name=_free_name(net, data.name),
                                   position=(data.position[0] + dx, data.position[1] + dy))
            new_ids[data.id] = node_id
            self.nodes.append(net.node(node_id))
        for edge in self.source_edges:
            if edge.source in new_ids and edge.target in new_ids:
                made = net.connect(new_ids[edge.source], new_ids[edge.target], edge.source_port, edge.target_port)
                self.edges.append((net.edge_order(made), made))

    def revert(self) -> None:
        for _, edge in self.edges:
            self.network.disconnect(edge)
        for data in reversed(self.nodes):
            self.network.remove_node(data.id)


def _free_name(network: Network, name: str) -> str:
    taken = {network.name_of(n) for n in network.node_ids}
    if name not in taken:
        return name
    stem = name.rstrip("0123456789_") or name
    return network.unique_name(f"{stem}_")
