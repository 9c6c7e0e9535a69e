"""The block library panel, beside the layer palette: the project's block definitions (with how
many instances use each) and the built-in ones (the lecture's blocks). Double-click or Enter adds
an instance after the selection; entries drag onto the canvas like layers. The project's entries
can be renamed, exported to a `.layerlab-block` file or deleted when unused; a file imports."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.blocks.builtin import builtin_library
from engine.blocks.definition import BlockDefinition
from engine.blocks.library_ops import instances
from gui.canvas.view import BLOCK_MIME
from gui.document.document import Document

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
OWN_ROLE = Qt.ItemDataRole.UserRole + 2  # True for the project's definitions


def block_mime(name: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(BLOCK_MIME, name.encode("utf-8"))
    return mime


def describe(definition: BlockDefinition) -> str:
    """A tooltip: what it is, its ports and arguments."""
    args = ", ".join(f"{k} = {v}" for k, v in definition.args.items()) or "none"
    lines = [f"<b>{definition.name}</b>", definition.description or "A block of the project.",
             f"inputs: {', '.join(definition.inputs) or 'none'} · outputs: {', '.join(definition.outputs) or 'none'}",
             f"arguments: {args}"]
    return "<br>".join(lines)


class BlockTree(QTreeWidget):
    add_requested = Signal(str)

    def startDrag(self, actions) -> None:  # noqa: N802 - Qt's name
        item = self.currentItem()
        name = item.data(0, NAME_ROLE) if item else None
        if name:
            drag = QDrag(self)
            drag.setMimeData(block_mime(name))
            drag.exec(Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None and item.data(0, NAME_ROLE):
            self.add_requested.emit(item.data(0, NAME_ROLE))
            return
        super().keyPressEvent(event)


class BlockPanel(QWidget):
    add_requested = Signal(str)  # definition name
    rename_requested = Signal(str)
    delete_requested = Signal(str)
    export_requested = Signal(str)
    import_requested = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.builtin = builtin_library()
        self.tree = BlockTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.tree.add_requested.connect(self.add_requested)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        hint = QLabel("Double-click or drag a block onto the canvas. Select layers and press Ctrl+G to make one.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #6b7785; font-size: 11px;")
        self.buttons: dict[str, QPushButton] = {}
        row = QGridLayout()  # two by two: the panel stays as narrow as the layer palette
        for key, text, tip in (("rename", "Rename…", "Rename the definition; every instance follows"),
                               ("export", "Export…", "Save the definition to a .layerlab-block file"),
                               ("delete", "Delete", "Delete the definition (only when no block uses it)"),
                               ("import", "Import…", "Add a block from a .layerlab-block file")):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, key=key: self._button(key))
            self.buttons[key] = button
            row.addWidget(button, len(self.buttons) > 2, (len(self.buttons) - 1) % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(hint)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        document.reset.connect(self.refresh)
        document.root_analysis_changed.connect(lambda _: self.refresh())
        self.refresh()

    def selected_name(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, NAME_ROLE) if item is not None else None

    def refresh(self) -> None:
        """List the definitions again (the library changes with grouping, undo, imports)."""
        library = self.document.project.blocks
        current = self.selected_name()
        state = (tuple(library.names), tuple(len(instances(self.document.root, n)) for n in library.names))
        if getattr(self, "_state", None) == state:
            return
        self._state = state
        self.tree.clear()
        own = QTreeWidgetItem(self.tree, ["This project"])
        for definition in library:
            used = len(instances(self.document.root, definition.name))
            self._entry(own, definition, f"{definition.name}  ({used})", True)
        if not len(library):
            QTreeWidgetItem(own, ["none yet"]).setDisabled(True)
        shipped = QTreeWidgetItem(self.tree, ["Built-in"])
        for definition in self.builtin:
            self._entry(shipped, definition, definition.name, False)
        self.tree.expandAll()
        for item in self._items():
            if item.data(0, NAME_ROLE) == current and item.data(0, OWN_ROLE):
                self.tree.setCurrentItem(item)
        self._update_buttons()

    def _entry(self, parent: QTreeWidgetItem, definition: BlockDefinition, text: str, own: bool) -> None:
        item = QTreeWidgetItem(parent, [f"▣ {text}"])
        item.setData(0, NAME_ROLE, definition.name)
        item.setData(0, OWN_ROLE, own)
        item.setToolTip(0, describe(definition) + (f"<br>used by {self._uses(definition.name)} block(s) of this project"
                                                    if own else "<br>built in: adding one copies it into the project"))

    def _uses(self, name: str) -> int:
        return len(instances(self.document.root, name))

    def _items(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            found += [top.child(j) for j in range(top.childCount())]
        return found

    def _activated(self, item: QTreeWidgetItem) -> None:
        name = item.data(0, NAME_ROLE)
        if name:
            self.add_requested.emit(name)

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        own = bool(item is not None and item.data(0, OWN_ROLE))
        for key in ("rename", "export", "delete"):
            self.buttons[key].setEnabled(own)

    def _button(self, key: str) -> None:
        if key == "import":
            self.import_requested.emit()
            return
        name = self.selected_name()
        if name:
            signals = {"rename": self.rename_requested, "export": self.export_requested,
                       "delete": self.delete_requested}
            signals[key].emit(name)
