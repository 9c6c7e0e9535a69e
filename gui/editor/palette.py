"""The layer palette: every layer type from the engine's library, grouped by category, searchable,
with a glyph and the layer's description; drag onto the canvas, double-click or press Enter to add.

From the keyboard: Ctrl+F (anywhere) focuses the search; typing filters and highlights the best
match (exact name, then prefix, then words anywhere); Up/Down move the highlight; Enter adds it
(after the selected layer); Escape goes back to the canvas."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.layers import LayerSpec
from engine.layers.registry import specs_by_category
from gui.canvas.view import LAYER_MIME
from gui.common import style

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
    activated_by_key = Signal(QTreeWidgetItem)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.activated_by_key.emit(self.currentItem())
            event.accept()
            return
        super().keyPressEvent(event)

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


def match_rank(query: str, name: str, type_id: str, haystack: str) -> int | None:
    """How well a layer matches what was typed: 0 exact name, 1 name prefix, 2 a word of the name
    starts with it, 3 every word found in name/type/category/description; None: no match."""
    query = query.strip().lower()
    names = (name.lower(), type_id.lower())
    if not query:
        return 3
    if query in names:
        return 0
    if any(n.startswith(query) for n in names):
        return 1
    if any(word.startswith(query) for n in names for word in n.replace("(", " ").split()):
        return 2
    return 3 if all(word in haystack for word in query.split()) else None


class Palette(QWidget):
    add_requested = Signal(str)  # type id (double-click or Enter: add after the selection)
    leave_requested = Signal()  # Escape in the search: give the keyboard back to the canvas

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
        self.search.returnPressed.connect(self._add_current)
        self.search.installEventFilter(self)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self.tree.activated_by_key.connect(self._on_double_click)

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
        """Show the layers that match what was typed and highlight the best match."""
        ranks: dict[str, int] = {}
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            visible = 0
            for child_index in range(group.childCount()):
                child = group.child(child_index)
                type_id = child.data(0, TYPE_ROLE)
                haystack = " ".join((child.text(0), type_id, group.text(0), child.toolTip(0))).lower()
                rank = match_rank(text, child.text(0), type_id, haystack)
                child.setHidden(rank is None)
                if rank is not None:
                    ranks[type_id] = rank
                    visible += 1
            group.setHidden(visible == 0)
        best = min(ranks, key=lambda t: ranks[t], default=None) if text.strip() else None
        self.tree.setCurrentItem(self.items[best] if best else None)

    def visible_types(self) -> list[str]:
        """The layers shown, best match first (then in palette order)."""
        shown = [t for t, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]
        current = self.current_type()
        return ([current] if current in shown else []) + [t for t in shown if t != current]

    def current_type(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, TYPE_ROLE) if item is not None else None

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def move_highlight(self, step: int) -> None:
        """Up/Down in the search box: move the highlight through the layers shown."""
        shown = [t for t, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]
        if not shown:
            return
        current = self.current_type()
        index = shown.index(current) + step if current in shown else (0 if step > 0 else len(shown) - 1)
        self.tree.setCurrentItem(self.items[shown[max(0, min(len(shown) - 1, index))]])
        self.tree.scrollToItem(self.tree.currentItem())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.move_highlight(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key == Qt.Key.Key_Escape:
                self.leave_requested.emit()
                return True
        return super().eventFilter(watched, event)

    def _add_current(self) -> None:
        """Enter: add the highlighted layer; the search text stays selected for the next one."""
        visible = self.visible_types()
        if visible and (self.search.text().strip() or self.current_type()):
            self.add_requested.emit(visible[0])
            self.search.setFocus()
            self.search.selectAll()

    def _on_double_click(self, item: QTreeWidgetItem) -> None:
        type_id = item.data(0, TYPE_ROLE)
        if type_id:
            self.add_requested.emit(type_id)
