"""Edit operations on the canvas selection, each one undoable command (or macro): add (inserted
after the selected layer, into its outgoing wire), connect the two selected layers, delete, copy,
paste, duplicate, rename, select all, automatic layout."""

from __future__ import annotations

import dataclasses

import networkx as nx
from PySide6.QtCore import QObject, QPointF

from engine.blocks.block_file import merge_definitions
from engine.blocks.files import load_library
from engine.graph import Edge, Network, NodeData
from engine.layers import get_spec
from engine.layers.blocks import BLOCK
from engine.layout import GAP, RANK_STEP
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.common import style
from gui.common.seams import StatusFn
from gui.document.block_commands import ReplaceCommand
from gui.document.commands import (
    AddNodeCommand,
    DisconnectCommand,
    LayoutCommand,
    MoveCommand,
    PasteCommand,
    RemoveCommand,
    RenameCommand,
)
from gui.document.document import Document
from gui.editor import clipboard

Position = tuple[float, float]


class EditController(QObject):
    def __init__(self, document: Document, scene: CanvasScene, view: CanvasView, status: StatusFn,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document, self.scene, self.view, self.status = document, scene, view, status

    @property
    def network(self) -> Network:
        return self.document.network

    # -- adding layers -------------------------------------------------------------------
    def add_layer(self, type_id: str, at: QPointF | None = None) -> str | None:
        """Add a layer centred at `at` (a drop). Without a point (double-click, Enter in the
        search): after the one selected layer, inserted into its outgoing wire (or wired below
        it), else at a free place in the middle of the view. One undo step."""
        selected = self.scene.selected_node_ids()
        follow = selected[0] if at is None and len(selected) == 1 else None
        if follow is not None and not self.network.spec(follow).outputs:
            follow = None
        spec = get_spec(type_id)
        stack = self.document.undo_stack
        stack.beginMacro(f"Add {spec.display_name}")
        try:
            if follow is not None and spec.inputs:
                node_id = self._add_after(type_id, follow)
            else:
                centre = at if at is not None else self.view.centre_of_view()
                position = (centre.x() - style.NODE_WIDTH / 2, centre.y() - style.NODE_HEIGHT / 2)
                if at is None:
                    position = self._free_place(position)
                node_id = self._add(type_id, position)
        finally:
            stack.endMacro()
        if node_id is None:
            return None
        self.scene.select_nodes([node_id])
        self.scene.route_wires()
        self.view.ensureVisible(self.scene.nodes[node_id].card_rect(), 40, 40)
        return node_id

    def _add(self, type_id: str, position: Position) -> str | None:
        add = AddNodeCommand(self.network, type_id, position)
        return add.node_id if self.document.execute(add) is None else None

    def _add_after(self, type_id: str, follow: str) -> str | None:
        """Below `follow`, in its first outgoing wire when the new layer can pass data on."""
        net, spec = self.network, get_spec(type_id)
        source_port = net.spec(follow).outputs[0]
        x, y = net.node(follow).position
        wire = self._main_wire(follow, source_port) if spec.outputs else None
        position = (x, y + RANK_STEP)
        if wire is None:
            position = self._free_place(position)
        else:
            self._make_room_below(follow, position)
        node_id = self._add(type_id, position)
        if node_id is None:
            return None
        if wire is not None:
            self.document.execute(DisconnectCommand(net, wire))
            self.scene.connect_ports(node_id, wire.target, spec.outputs[0], wire.target_port)
        self.scene.connect_ports(follow, node_id, source_port, spec.inputs[0].name)
        return node_id

    def _main_wire(self, node_id: str, port: str) -> Edge | None:
        """The outgoing wire most nearly straight below the card (the main path)."""
        x = self.network.node(node_id).position[0]
        wires = [e for e in self.network.out_edges(node_id) if e.source_port == port]
        return min(wires, key=lambda e: abs(self.network.node(e.target).position[0] - x), default=None)

    def _overlaps(self, position: Position, ignore: set[str] = frozenset()) -> list[str]:
        w, h = style.NODE_WIDTH + GAP[0] / 2, style.NODE_HEIGHT + GAP[1] / 2
        return [n for n in self.network.node_ids if n not in ignore
                and abs(self.network.node(n).position[0] - position[0]) < w
                and abs(self.network.node(n).position[1] - position[1]) < h]

    def _free_place(self, position: Position) -> Position:
        """`position`, or the nearest free place to its right."""
        x, y = position
        for _ in range(200):
            if not self._overlaps((x, y)):
                break
            x += style.NODE_WIDTH + GAP[0]
        return x, y

    def _make_room_below(self, follow: str, position: Position) -> None:
        """Shift the layers downstream of `follow` down one row when the new card would cover one."""
        if not self._overlaps(position, {follow}):
            return
        below = nx.descendants(self.network.graph, follow)
        moves = {n: (p, (p[0], p[1] + RANK_STEP)) for n in below for p in [self.network.node(n).position]
                 if p[1] >= position[1] - style.NODE_HEIGHT / 2}
        if moves:
            self.document.execute(MoveCommand(self.network, moves, text="Make room"))

    # -- wiring --------------------------------------------------------------------------
    def connect_selected(self) -> str | None:
        """Wire the two selected layers: the upper one's output to the other's first free input."""
        ids = self.scene.selected_node_ids()
        if len(ids) != 2:
            reason = "Select exactly two layers to connect (Shift+click the second)."
            self.status(reason, 6000)
            return reason
        source, target = sorted(ids, key=lambda n: self.network.node(n).position[1])
        if nx.has_path(self.network.graph, target, source) or not self.network.spec(target).inputs:
            source, target = target, source  # data already flows the other way, or cannot enter it
        out_ports, in_ports = self.network.spec(source).outputs, self.network.spec(target).inputs
        if not out_ports or not in_ports:
            reason = f"'{self.network.name_of(source if not out_ports else target)}' has no " \
                     f"{'output' if not out_ports else 'input'} to wire."
            self.status(reason, 6000)
            return reason
        taken = {e.target_port for e in self.network.in_edges(target)}
        port = next((p for p in in_ports if p.multi or p.name not in taken), in_ports[0])
        return self.scene.connect_ports(source, target, out_ports[0], port.name)

    # -- the rest ------------------------------------------------------------------------
    def delete(self) -> None:
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edges()
        if nodes or edges:
            self.document.execute(RemoveCommand(self.network, nodes, edges))

    def copy(self) -> bool:
        copied = clipboard.copy_to_clipboard(self.network, self.scene.selected_node_ids())
        if copied:
            self.status(f"Copied {len(self.scene.selected_node_ids())} layers.", 3000)
        return copied

    def cut(self) -> None:
        if self.copy():
            self.delete()

    def paste(self) -> list[str]:
        found = clipboard.read_clipboard()
        if not found or not found[0]:
            self.status("The clipboard holds no LayerLab layers.", 4000)
            return []
        nodes, edges, blocks = found
        if not blocks:
            return self._paste_here(nodes, edges)
        stack = self.document.undo_stack
        stack.beginMacro(f"Paste {len(nodes)} layer{'s' if len(nodes) != 1 else ''}")
        try:
            here = self._bring_definitions(nodes, blocks)
            return self._paste_here(here, edges) if here is not None else []
        finally:
            stack.endMacro()

    def _paste_here(self, nodes: list[NodeData], edges: list[Edge]) -> list[str]:
        """Paste at the same place plus a step (into the network copied from), else in the view's middle."""
        same_place = all(n.id in self.network and self.network.node(n.id).position == n.position for n in nodes)
        if same_place:
            offset = (40.0, 40.0)
        else:
            xs, ys = [n.position[0] for n in nodes], [n.position[1] for n in nodes]
            centre = self.view.centre_of_view()
            offset = (centre.x() - (min(xs) + max(xs) + style.NODE_WIDTH) / 2,
                      centre.y() - (min(ys) + max(ys) + style.NODE_HEIGHT) / 2)
        return self._paste(PasteCommand(self.network, nodes, edges, offset))

    def _bring_definitions(self, nodes: list[NodeData], blocks: list[dict]) -> list[NodeData] | None:
        """Pasted blocks from another project: their definitions join this project's library (an
        identical one is shared, a different one of the same name renamed), as an undo step of the
        paste; returns the nodes with the definitions' names here."""
        problems: list[str] = []
        loaded = load_library(blocks, problems)
        merged, renamed = merge_definitions(self.network, loaded)
        if set(merged.library.names) != set(self.document.project.blocks.names):
            command = ReplaceCommand(self.network, self.document.project.blocks, lambda _: merged,
                                     "Add block definitions")
            if self.document.execute(command):
                return None
        if problems:
            self.status("Some pasted blocks' definitions were left out: " + "; ".join(problems), 8000)
        return [dataclasses.replace(n, params={**n.params, "definition": renamed.get(n.params["definition"],
                                                                                     n.params["definition"])})
                if n.type == BLOCK else n for n in nodes]

    def duplicate(self) -> list[str]:
        ids = self.scene.selected_node_ids()
        if not ids:
            return []
        nodes = [self.network.node(n) for n in ids]
        chosen = set(ids)
        edges = [e for e in self.network.edges() if e.source in chosen and e.target in chosen]
        return self._paste(PasteCommand(self.network, nodes, edges, (40.0, 40.0), text="Duplicate"))

    def _paste(self, command: PasteCommand) -> list[str]:
        if self.document.execute(command) is None:
            self.scene.select_nodes(command.node_ids)
            return command.node_ids
        return []

    def rename(self, node_id: str, name: str) -> str | None:
        if node_id not in self.network or name == self.network.name_of(node_id):
            return None
        reason = self.document.execute(RenameCommand(self.network, node_id, name))
        if reason:
            item = self.scene.nodes[node_id]
            self.view.show_message_at_scene(reason, item.scenePos())
        return reason

    def rename_selected(self) -> None:
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            self.view.start_rename(ids[0])

    def select_all(self) -> None:
        for item in list(self.scene.nodes.values()) + list(self.scene.edges.values()):
            item.setSelected(True)

    def layout(self) -> None:
        """Automatic layout, wrapped to the shape of the view, then fit."""
        if len(self.network):
            viewport = self.view.viewport().rect()
            aspect = viewport.width() / max(viewport.height(), 1)
            self.document.execute(LayoutCommand(self.network, aspect=aspect))
            self.view.fit()
