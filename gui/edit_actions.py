"""Edit operations on the canvas selection, each one undoable command (or macro): add, delete,
copy, paste, duplicate, rename, select all, automatic layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF

from engine.graph import Network
from engine.layers import get_spec
from gui import clipboard, style
from gui.commands import AddNodeCommand, LayoutCommand, PasteCommand, RemoveCommand, RenameCommand
from engine.layout import COLUMN_WIDTH

if TYPE_CHECKING:
    from gui.main_window import MainWindow


class EditController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.scene = window.scene

    @property
    def network(self) -> Network:
        return self.document.network

    def add_layer(self, type_id: str, at: QPointF | None = None) -> str | None:
        """Add a layer centred at `at`. Without a point: to the right of the one selected layer,
        wired to it (so a chain is built by double-clicks), or at the centre of the view."""
        selected = self.scene.selected_node_ids()
        follow = selected[0] if at is None and len(selected) == 1 else None
        if follow is not None and not self.network.spec(follow).outputs:
            follow = None
        if follow is not None:
            x, y = self.network.node(follow).position
            position = (x + COLUMN_WIDTH, y)
        else:
            centre = at if at is not None else self.window.view.centre_of_view()
            position = (centre.x() - style.NODE_WIDTH / 2, centre.y() - style.NODE_HEIGHT / 2)
        add = AddNodeCommand(self.network, type_id, position)
        stack = self.document.undo_stack
        stack.beginMacro(add.text())
        reason = self.document.execute(add)
        inputs = get_spec(type_id).inputs
        if reason is None and follow is not None and inputs:
            self.scene.connect_ports(follow, add.node_id, "out", inputs[0].name)
        stack.endMacro()
        if add.node_id is None:
            return None
        self.scene.select_nodes([add.node_id])
        self.window.view.ensureVisible(self.scene.nodes[add.node_id], 40, 40)
        return add.node_id

    def delete(self) -> None:
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edges()
        if nodes or edges:
            self.document.execute(RemoveCommand(self.network, nodes, edges))

    def copy(self) -> bool:
        copied = clipboard.copy_to_clipboard(self.network, self.scene.selected_node_ids())
        if copied:
            self.window.statusBar().showMessage(f"Copied {len(self.scene.selected_node_ids())} layers.", 3000)
        return copied

    def cut(self) -> None:
        if self.copy():
            self.delete()

    def paste(self) -> list[str]:
        found = clipboard.read_clipboard()
        if not found or not found[0]:
            self.window.statusBar().showMessage("The clipboard holds no LayerLab layers.", 4000)
            return []
        nodes, edges = found
        same_place = all(n.id in self.network and self.network.node(n.id).position == n.position for n in nodes)
        if same_place:
            offset = (40.0, 40.0)
        else:
            xs, ys = [n.position[0] for n in nodes], [n.position[1] for n in nodes]
            centre = self.window.view.centre_of_view()
            offset = (centre.x() - (min(xs) + max(xs) + style.NODE_WIDTH) / 2,
                      centre.y() - (min(ys) + max(ys) + style.NODE_HEIGHT) / 2)
        return self._paste(PasteCommand(self.network, nodes, edges, offset))

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
            self.window.view.show_message_at_scene(reason, item.scenePos())
        return reason

    def rename_selected(self) -> None:
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            self.window.view.start_rename(ids[0])

    def select_all(self) -> None:
        for item in list(self.scene.nodes.values()) + list(self.scene.edges.values()):
            item.setSelected(True)

    def layout(self) -> None:
        if len(self.network):
            self.document.execute(LayoutCommand(self.network))
            self.window.view.fit(readable=True)
