"""The canvas scene: follows the document's model events through an id -> item dict.
Gestures end in commands sent to the document; the scene never edits the model itself."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from engine.graph import Change, Edge
from engine.layers.blocks import BLOCK
from engine.shapes import Analysis
from gui.canvas.interactions import ConnectDrag, MoveTracker
from gui.canvas.items.edge import EdgeItem
from gui.canvas.items.node import NodeItem
from gui.canvas.items.port import PortItem
from gui.canvas.routing import GridIndex, Obstacles, Rect
from gui.common import format as fmt
from gui.document.commands import ConnectCommand, MoveCommand
from gui.document.document import Document

SCENE_EXTENT = 200_000.0


def _as_rect(rect: QRectF) -> Rect:
    return rect.left(), rect.top(), rect.right(), rect.bottom()


class CanvasScene(QGraphicsScene):
    message = Signal(str, QPointF)  # a refused gesture: the reason, and where it happened (scene coords)
    rename_requested = Signal(str)  # node id (double-click on a card's title)
    open_requested = Signal(str)  # node id (double-click on a block card, not on its title)

    def __init__(self, document: Document) -> None:
        super().__init__(document)
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._drag: ConnectDrag | None = None
        self._moving: MoveTracker | None = None
        self._unrouted: set[EdgeItem] = set()
        self.cards = GridIndex()  # node id -> card rectangle: what wires avoid
        self.wire_boxes = GridIndex()  # EdgeItem -> its route's bounding box
        self.overlay_shown = False  # training signals are drawn on wires and cards (canvas_overlay)
        self._route_timer = QTimer(self, singleShot=True, interval=0)
        self._route_timer.timeout.connect(self.route_wires)
        self.setSceneRect(QRectF(-SCENE_EXTENT, -SCENE_EXTENT, 2 * SCENE_EXTENT, 2 * SCENE_EXTENT))
        document.changed.connect(self._on_change)
        document.reset.connect(self.rebuild)
        document.analysis_changed.connect(self._on_analysis)
        self.rebuild()

    # -- following the model -----------------------------------------------------------
    def rebuild(self) -> None:
        self._drag = None
        self._moving = None
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        self._unrouted.clear()
        self.cards.clear()
        self.wire_boxes.clear()
        net = self.document.network
        for node_id in net.node_ids:
            self._add_node(node_id)
        for edge in net.edges():
            self._add_edge(edge)

    def _on_change(self, change: Change) -> None:
        kind = change.kind
        if kind == "node_added":
            self._reroute_near(self._add_node(change.node).card_rect())
        elif kind == "node_removed":
            item = self.nodes.pop(change.node)
            self.cards.remove(change.node)
            self._reroute_near(item.card_rect())
            self.removeItem(item)
        elif kind == "edge_added":
            self._add_edge(change.edge)
        elif kind == "edge_removed":
            item = self.edges.pop(change.edge)
            for end in (item.source, item.target):
                node = self.nodes.get(end.node_id)
                if node is not None and item in node.edges:
                    node.edges.remove(item)
            self._unrouted.discard(item)
            self.wire_boxes.remove(item)
            self.removeItem(item)
        elif kind == "param_changed":
            self.nodes[change.node].set_params(self.document.network.node(change.node).params)
        elif kind == "renamed":
            self.nodes[change.node].set_name(change.new)
        elif kind == "moved":
            item = self.nodes[change.node]
            if (item.pos().x(), item.pos().y()) != change.new:
                item.setPos(QPointF(*change.new))

    def _add_node(self, node_id: str) -> NodeItem:
        net = self.document.network
        item = NodeItem(net.node(node_id), net.spec(node_id))
        self.nodes[node_id] = item
        self.cards.put(node_id, _as_rect(item.card_rect()))
        self.addItem(item)
        return item

    def _add_edge(self, edge: Edge) -> None:
        src, dst = self.nodes[edge.source], self.nodes[edge.target]
        item = EdgeItem(edge, src.outputs[edge.source_port], dst.inputs[edge.target_port])
        item.obstacles = lambda: self._obstacles_for(item)
        src.edges.append(item)
        dst.edges.append(item)
        self.edges[edge] = item
        self.addItem(item)
        self._schedule_route(item)

    # -- wire routing (batched: many moves in one event-loop turn route each wire once) ------
    def _schedule_route(self, item: EdgeItem) -> None:
        self._unrouted.add(item)
        if not self._route_timer.isActive():
            self._route_timer.start()

    def node_moved(self, item: NodeItem) -> None:
        """A card moved (dragged, undone, laid out): its wires and the wires now behind it re-route."""
        if item.node_id not in self.nodes:
            return
        old = self.cards.rects.get(item.node_id)
        self.cards.put(item.node_id, _as_rect(item.card_rect()))
        for edge in item.edges:
            self._schedule_route(edge)
        self._reroute_near(item.card_rect())
        if old is not None:
            self._reroute_near(QRectF(QPointF(old[0], old[1]), QPointF(old[2], old[3])))

    def _reroute_near(self, rect: QRectF) -> None:
        for edge in self.wire_boxes.query(_as_rect(rect)):
            self._schedule_route(edge)

    def route_wires(self) -> None:
        """Route every wire waiting for it (normally called by a zero timer)."""
        self._route_timer.stop()
        pending, self._unrouted = self._unrouted, set()
        for item in pending:
            if item.scene() is self:
                item.update_path()
                self.wire_boxes.put(item, _as_rect(item.path.boundingRect()))

    def _obstacles_for(self, edge: EdgeItem) -> Obstacles:
        ends = {edge.edge.source, edge.edge.target}
        rects = self.cards.rects

        def cards(rect: Rect) -> list[Rect]:
            return [rects[node_id] for node_id in self.cards.query(rect) if node_id not in ends]

        return cards

    def _on_analysis(self, analysis: Analysis, changed: set[str]) -> None:
        warnings = {w.node: w.message for w in analysis.warnings if w.node}
        errors = {e.node: e.message for e in analysis.errors if e.node}
        bad_edges = {edge for issue in analysis.errors for edge in issue.edges}
        for node_id in changed:
            item = self.nodes.get(node_id)
            if item is None:
                continue
            item.set_info(analysis.nodes.get(node_id), errors.get(node_id), warnings.get(node_id))
            for edge_item in item.edges:
                shape = analysis.edge_shape(edge_item.edge)
                edge_item.set_label(fmt.shape_text(shape) if shape is not None else "",
                                    edge_item.edge in bad_edges, len(shape) if shape is not None else 0)

    # -- queries for actions -----------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)

    def nodes_rect(self) -> QRectF:
        """Everything drawn: the cards and the wires routed so far (lanes run close to the cards)."""
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.card_rect())
        for edge in self.edges.values():
            rect = rect.united(edge.path.boundingRect())
        return rect

    # -- gestures ----------------------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            port = next((i for i in self.items(event.scenePos()) if isinstance(i, PortItem)), None)
            if port is not None:
                self._drag = ConnectDrag(self, port)
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            selected = [i for i in self.selectedItems() if isinstance(i, NodeItem)]
            self._moving = MoveTracker(selected) if selected else None

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._drag is not None:
            self._drag.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            drag, self._drag = self._drag, None
            wire = drag.finish(event.scenePos())
            if wire is not None:
                self.connect_ports(*wire, at=event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        tracker, self._moving = self._moving, None
        if tracker is not None:
            moves = tracker.moves()
            if moves:
                self.document.execute(MoveCommand(self.document.network, moves))

    def connect_ports(self, source: str, target: str, source_port: str, target_port: str,
                      at: QPointF | None = None) -> str | None:
        """Ask the document to wire two ports; a refusal is announced with its reason."""
        reason = self.document.execute(ConnectCommand(self.document.network, source, target,
                                                      source_port, target_port))
        if reason:
            self.message.emit(reason, at if at is not None else self.nodes[target].scenePos())
        return reason

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        item = next((i for i in self.items(event.scenePos()) if isinstance(i, NodeItem)), None)
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            on_title = item.title_rect().contains(event.scenePos())
            if item.spec.type_id == BLOCK and not on_title:
                self.open_requested.emit(item.node_id)
            else:
                self.rename_requested.emit(item.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
