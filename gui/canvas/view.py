"""The canvas view: the wheel scrolls and Ctrl+wheel zooms around the cursor, middle-button or
Space+drag pans, rubber-band selection, fit to view (never below a readable size: it scrolls
instead), an overview in the corner for networks larger than the view, arrow keys that walk the
selection along wires, drops from the palette, in-place rename and transient messages."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QMouseEvent, QPainter, QPen, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QLineEdit, QMenu, QWidget

from gui.canvas import navigation
from gui.canvas.breadcrumb import Breadcrumb
from gui.canvas.minimap import Block, Minimap, Wire
from gui.canvas.scene import CanvasScene
from gui.canvas.toast import Toast
from gui.common import style

LAYER_MIME = "application/x-layerlab-layer-type"
BLOCK_MIME = "application/x-layerlab-block"  # a block definition's name, from the block library panel
MIN_ZOOM, MAX_ZOOM = 0.05, 3.0
READABLE_ZOOM = 0.45  # Fit never zooms out further: compact cards still show their names here
EMPTY_HINT = ("Drag a layer here from the Layers palette, or press Ctrl+F and type its name.\n"
              "A network starts with an Input and ends with an Output.")
BREADCRUMB_AT = QPoint(10, 10)
ARROWS = {Qt.Key.Key_Up: "up", Qt.Key.Key_Down: "down", Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right"}


class CanvasView(QGraphicsView):
    layer_dropped = Signal(str, QPointF)  # type id, scene position
    block_dropped = Signal(str, QPointF)  # block definition name, scene position
    rename_submitted = Signal(str, str)  # node id, new name
    open_requested = Signal()  # Enter: open the selected block
    back_requested = Signal()  # Escape: out of the block shown

    def __init__(self, scene: CanvasScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)  # the grid is drawn once per view
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.toast = Toast(self.viewport())
        self.breadcrumb = Breadcrumb(self.viewport())
        self.context_actions: Callable[[], list[QAction | None]] = lambda: []
        self._space = False
        self._pan_from: QPointF | None = None
        self._editor: QLineEdit | None = None
        self._was_empty = True
        self._auto_fit = False  # fitted and not zoomed or panned since: a resize fits again
        self.minimap = Minimap(self.viewport(), self._overview)
        self.minimap.jump_requested.connect(self._jump_to)
        self._minimap_timer = QTimer(self, singleShot=True, interval=60)
        self._minimap_timer.timeout.connect(self._refresh_minimap)
        scene.message.connect(self.show_message_at_scene)
        scene.rename_requested.connect(self.start_rename)
        scene.document.changed.connect(self._view_changed)
        scene.document.reset.connect(self._view_changed)

    @property
    def canvas(self) -> CanvasScene:
        return self.scene()  # type: ignore[return-value]

    # -- zoom and fit --------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by `factor`, keeping the scene point under `anchor` (viewport pixels) in place."""
        self._auto_fit = False
        factor = max(MIN_ZOOM / self.zoom(), min(MAX_ZOOM / self.zoom(), factor))
        anchor = anchor if anchor is not None else QPointF(self.viewport().rect().center())
        before = self.mapToScene(anchor.toPoint())
        self.scale(factor, factor)
        after = self.mapToScene(anchor.toPoint())
        self.centerOn(self.mapToScene(self.viewport().rect().center()) - (after - before))
        self._view_changed()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        """Ctrl+wheel (or a pinch) zooms around the cursor; the wheel alone scrolls (Shift: sideways)."""
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if delta.y():
                self.zoom_by(1.15 ** (delta.y() / 120.0), event.position())
        else:
            dx, dy = delta.x(), delta.y()
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                dx, dy = dy, 0
            self.pan(dx * 0.6, dy * 0.6)
        event.accept()

    def fit(self, readable: bool = True) -> None:
        """Fit the network in view, at most at actual size. With `readable` (the default) never zoom
        out below READABLE_ZOOM: a larger network shows its start (top left) and the overview."""
        rect = self.canvas.nodes_rect()
        self.resetTransform()
        if rect.isNull():
            self.centerOn(0, 0)
            self._view_changed()
            return
        rect = rect.adjusted(-30, -30, 30, 30)
        view = self.viewport().rect()
        top = self.breadcrumb.geometry().bottom() if self.breadcrumb.isVisible() else 0  # kept clear
        zoom = min(view.width() / rect.width(), (view.height() - top) / rect.height(), 1.0)
        zoom = max(zoom, READABLE_ZOOM if readable else MIN_ZOOM)
        self.scale(zoom, zoom)
        visible_w, visible_h = view.width() / zoom, (view.height() - top) / zoom
        x = rect.center().x() if visible_w >= rect.width() else rect.left() + visible_w / 2
        y = rect.center().y() if visible_h >= rect.height() else rect.top() + visible_h / 2
        self.centerOn(QPointF(x, y - top / (2 * zoom)))  # the free area's centre on the network's
        self._auto_fit = True
        self._view_changed()

    def _jump_to(self, point: QPointF) -> None:
        self._auto_fit = False
        self.centerOn(point)

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    # -- the overview --------------------------------------------------------------------
    def _overview(self) -> tuple[list[Block], list[Wire], QRectF]:
        scene = self.canvas
        blocks = [(item.card_rect(), item.color) for item in scene.nodes.values()]
        wires = [(edge.source.anchor(), edge.target.anchor()) for edge in scene.edges.values()]
        rect = QRectF()
        for card, _ in blocks:
            rect = rect.united(card)
        return blocks, wires, rect

    def _view_changed(self, *_args) -> None:
        if not self._minimap_timer.isActive():
            self._minimap_timer.start()

    def _refresh_minimap(self) -> None:
        self.minimap.refresh(self.visible_scene_rect())
        empty = not self.canvas.nodes
        if empty or empty != self._was_empty:
            self.viewport().update()  # the empty-canvas hint appears or goes
        self._was_empty = empty

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt's name
        super().scrollContentsBy(dx, dy)
        self.breadcrumb.move(BREADCRUMB_AT)  # scrolling moves the viewport's children with the scene
        self._view_changed()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()
        self._view_changed()

    def centre_of_view(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # -- pan: middle button or Space + drag ---------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._editor is None:
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in ARROWS and self._editor is None and plain:
            self.walk(ARROWS[event.key()])
            event.accept()
            return
        if self._editor is None and plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            (self.back_requested if event.key() == Qt.Key.Key_Escape else self.open_requested).emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def walk(self, direction: str) -> str | None:
        """Move the selection to the next card along the wires ('up'/'down') or beside it."""
        scene = self.canvas
        selected = scene.selected_node_ids()
        found = navigation.neighbour(scene, selected[-1], direction) if selected else navigation.first(scene)
        if found is not None:
            scene.select_nodes([found])
            self.ensureVisible(scene.nodes[found].card_rect(), 40, 40)
        return found

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (self._space and button == Qt.MouseButton.LeftButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by (dx, dy) pixels (the content follows the pointer)."""
        self._auto_fit = False
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(round(dx)))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(round(dy)))

    # -- drop from the palette -----------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(LAYER_MIME) or event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(LAYER_MIME) or event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(LAYER_MIME):
            type_id = bytes(event.mimeData().data(LAYER_MIME).data()).decode("utf-8")
            self.layer_dropped.emit(type_id, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        elif event.mimeData().hasFormat(BLOCK_MIME):
            name = bytes(event.mimeData().data(BLOCK_MIME).data()).decode("utf-8")
            self.block_dropped.emit(name, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # -- messages, rename, context menu -------------------------------------------------
    def show_message_at_scene(self, text: str, scene_pos: QPointF) -> None:
        self.toast.show_at(text, self.mapFromScene(scene_pos))

    def start_rename(self, node_id: str) -> None:
        item = self.canvas.nodes.get(node_id)
        if item is None:
            return
        self.finish_rename(commit=False)
        rect = self.mapFromScene(item.title_rect()).boundingRect()
        editor = QLineEdit(item.name, self.viewport())
        editor.setGeometry(rect.adjusted(0, 0, 0, 4))
        editor.selectAll()
        editor.returnPressed.connect(lambda: self.finish_rename(commit=True))
        editor.editingFinished.connect(lambda: self.finish_rename(commit=True))
        editor.setProperty("node_id", node_id)
        self._editor = editor
        editor.show()
        editor.setFocus()

    def finish_rename(self, commit: bool) -> None:
        editor, self._editor = self._editor, None
        if editor is None:
            return
        node_id, text = editor.property("node_id"), editor.text()
        editor.hide()
        editor.deleteLater()
        if commit:
            self.rename_submitted.emit(node_id, text)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        item = self.itemAt(event.pos())
        while item is not None and item.parentItem() is not None:
            item = item.parentItem()
        if item is not None and item.flags() & item.GraphicsItemFlag.ItemIsSelectable and not item.isSelected():
            self.canvas.clearSelection()
            item.setSelected(True)
        menu = QMenu(self)
        for action in self.context_actions():
            menu.addSeparator() if action is None else menu.addAction(action)
        menu.popup(event.globalPos())

    # -- background grid and the empty-canvas hint ----------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt's name
        if self.canvas.nodes:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(style.CARD_MUTED)
        painter.setFont(style.font(12))
        area = QRectF(self.viewport().rect()).adjusted(40, 40, -40, -40)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, EMPTY_HINT)
        painter.restore()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt's name
        painter.fillRect(rect, style.CANVAS_BACKGROUND)
        zoom = self.zoom()
        step = style.GRID_STEP * (5 if zoom < 0.5 else 1)
        if zoom * step < 6:
            return
        left, top = int(rect.left()) - int(rect.left()) % step, int(rect.top()) - int(rect.top()) % step
        minor: list[QLineF] = []
        major: list[QLineF] = []
        for x in range(left, int(rect.right()) + 1, step):
            (major if x % (step * 5) == 0 else minor).append(QLineF(x, rect.top(), x, rect.bottom()))
        for y in range(top, int(rect.bottom()) + 1, step):
            (major if y % (step * 5) == 0 else minor).append(QLineF(rect.left(), y, rect.right(), y))
        for lines, color in ((minor, style.GRID_MINOR), (major, style.GRID_MAJOR)):
            painter.setPen(QPen(color, 0))
            painter.drawLines(lines)
