"""The layer palette: every layer type from the engine's library, grouped by category, searchable,
with a glyph and the layer's description; drag onto the canvas or double-click to add."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.layers import LayerSpec
from engine.layers.registry import specs_by_category
from gui import style
from gui.canvas.view import LAYER_MIME

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


def glyph_icon(spec: LayerSpec, size: int = 22) -> QIcon:
    """A rounded square in the category colour with the layer's glyph."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.category_color(spec.category))
    painter.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 5, 5)
    painter.setPen(QColor("white"))
    painter.setFont(style.font(size * 0.42, bold=True))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, spec.glyph)
    painter.end()
    return QIcon(pixmap)


class _LayerTree(QTreeWidget):
    def startDrag(self, actions) -> None:  # noqa: N802 - Qt's name
        item = self.currentItem()
        type_id = item.data(0, TYPE_ROLE) if item else None
        if not type_id:
            return
        drag = QDrag(self)
        drag.setMimeData(layer_mime(type_id))
        drag.setPixmap(item.icon(0).pixmap(28, 28))
        drag.exec(Qt.DropAction.CopyAction)


def layer_mime(type_id: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(LAYER_MIME, type_id.encode("utf-8"))
    return mime


class Palette(QWidget):
    add_requested = Signal(str)  # type id (double-click: add at the centre of the view)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText("Search layers…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree = _LayerTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self.tree.setIconSize(QSize(22, 22))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_match)
        self.tree.itemDoubleClicked.connect(self._on_double_click)

    def _populate(self) -> None:
        for category, specs in specs_by_category().items():
            group = QTreeWidgetItem([category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setForeground(0, style.category_color(category))
            self.tree.addTopLevelItem(group)
            for spec in specs:
                item = QTreeWidgetItem([spec.display_name])
                item.setIcon(0, glyph_icon(spec))
                item.setData(0, TYPE_ROLE, spec.type_id)
                item.setToolTip(0, f"<b>{spec.display_name}</b><br>{spec.description}")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
                group.addChild(item)
                self.items[spec.type_id] = item
            group.setExpanded(True)

    def filter(self, text: str) -> None:
        """Show the layers whose name, type, category or description contain every word typed."""
        words = text.lower().split()
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            visible = 0
            for child_index in range(group.childCount()):
                child = group.child(child_index)
                haystack = " ".join((child.text(0), child.data(0, TYPE_ROLE), group.text(0), child.toolTip(0))).lower()
                hidden = not all(w in haystack for w in words)
                child.setHidden(hidden)
                visible += not hidden
            group.setHidden(visible == 0)

    def visible_types(self) -> list[str]:
        return [t for t, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _add_first_match(self) -> None:
        visible = self.visible_types()
        if visible:
            self.add_requested.emit(visible[0])

    def _on_double_click(self, item: QTreeWidgetItem) -> None:
        type_id = item.data(0, TYPE_ROLE)
        if type_id:
            self.add_requested.emit(type_id)
