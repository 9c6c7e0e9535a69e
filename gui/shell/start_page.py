"""The start page (File > New, View > Start Page): a blank network, Open…, Import…, recent
projects, and every sample with a drawing of its network and its whole description."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.errors import ProjectError
from engine.layers import get_spec
from engine.project import load_project
from gui.canvas.items.node import port_x
from gui.canvas.minimap import paint_overview
from gui.common import settings, style
from gui.files.sample_gallery import sample_info

THUMBNAIL = QSize(236, 150)
CARD_WIDTH = 260


def network_thumbnail(path: Path, size: QSize = THUMBNAIL) -> QPixmap:
    """The sample's network drawn small: each layer a block in its category colour, with its wires."""
    pixmap = QPixmap(size)
    pixmap.fill(style.CANVAS_BACKGROUND)
    try:
        network = load_project(path).network
    except ProjectError:
        return pixmap
    w, h = style.NODE_WIDTH, style.NODE_HEIGHT
    blocks, rect = [], QRectF()
    for node_id in network.node_ids:
        x, y = network.node(node_id).position
        card = QRectF(x, y, w, h)
        blocks.append((card, style.category_color(get_spec(network.node(node_id).type).category)))
        rect = rect.united(card)
    wires = []
    for edge in network.edges():
        (sx, sy), (tx, ty) = network.node(edge.source).position, network.node(edge.target).position
        out_index = network.spec(edge.source).outputs.index(edge.source_port)
        in_index = [p.name for p in network.spec(edge.target).inputs].index(edge.target_port)
        wires.append(((sx + port_x(out_index), sy + h), (tx + port_x(in_index), ty)))
    painter = QPainter(pixmap)
    paint_overview(painter, blocks, [(QPointF(*a), QPointF(*b)) for a, b in wires],
                   rect.adjusted(-20, -20, 20, 20), QRectF(4, 4, size.width() - 8, size.height() - 8))
    painter.end()
    return pixmap


class SampleCard(QFrame):
    """A sample: its drawing, name and full description; a click opens it."""

    clicked = Signal(str)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setObjectName("sampleCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(CARD_WIDTH)
        name, description = sample_info(path)
        self.setToolTip(f"Open '{name}' as a new, untitled copy")
        picture = QLabel()
        picture.setPixmap(network_thumbnail(path))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(f"<b>{name}</b>")
        title.setWordWrap(True)
        text = QLabel(description)
        text.setWordWrap(True)
        text.setObjectName("sampleDescription")
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(picture)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addStretch(1)
        self.name = name

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(str(self.path))


class StartPage(QScrollArea):
    blank_requested = Signal()
    open_requested = Signal()
    import_requested = Signal()
    sample_requested = Signal(str)
    recent_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.cards: list[SampleCard] = []
        self._columns = 0
        body = QWidget()
        body.setObjectName("startBody")
        heading = QLabel("<h2>Start a network</h2>")
        intro = QLabel("Open a sample to see a working network and train it at once, or begin from nothing. "
                       "Every sample opens as a new, untitled copy.")
        intro.setWordWrap(True)
        actions = QHBoxLayout()
        for text, signal, tip in (("Blank network", self.blank_requested, "An empty canvas"),
                                  ("Open…", self.open_requested, "Open a .layerlab project (Ctrl+O)"),
                                  ("Import…", self.import_requested,
                                   "Start from a torchvision architecture, or load weights (Ctrl+I)")):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setMinimumHeight(34)
            button.clicked.connect(signal)
            actions.addWidget(button)
        actions.addStretch(1)
        self.recent_box = QVBoxLayout()
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        column = QVBoxLayout(body)
        column.setContentsMargins(28, 20, 28, 28)
        column.addWidget(heading)
        column.addWidget(intro)
        column.addLayout(actions)
        column.addSpacing(10)
        column.addLayout(self.recent_box)
        column.addWidget(QLabel("<h3>Samples</h3>"))
        column.addLayout(self.grid)
        column.addStretch(1)
        self.setWidget(body)

    def refresh(self) -> None:
        """Fill in the recent projects (they change while the app runs) and lay the cards out. The
        sample cards are made the first time (each reads its sample), not at start-up."""
        if not self.cards:
            for path in settings.sample_paths():
                card = SampleCard(path)
                card.clicked.connect(self.sample_requested)
                self.cards.append(card)
        while self.recent_box.count():
            widget = self.recent_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        recent = [p for p in settings.recent_files() if Path(p).is_file()][:5]
        if recent:
            self.recent_box.addWidget(QLabel("<h3>Recent projects</h3>"))
        for path in recent:
            link = QPushButton(f"{Path(path).name}   —   {Path(path).parent}")
            link.setFlat(True)
            link.setStyleSheet("text-align: left; color: #2f6fd0;")
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            link.clicked.connect(lambda _=False, p=path: self.recent_requested.emit(p))
            self.recent_box.addWidget(link)
        self._place_cards(force=True)

    def _place_cards(self, force: bool = False) -> None:
        columns = max(1, (self.viewport().width() - 56) // (CARD_WIDTH + 14))
        if columns == self._columns and not force:
            return
        self._columns = columns
        for index, card in enumerate(self.cards):
            self.grid.addWidget(card, index // columns, index % columns,
                                Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        self.grid.setColumnStretch(columns, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_cards()
