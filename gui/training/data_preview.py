"""The Data tab's preview of the chosen data, before training: what it is (size, classes, splits),
how many samples each class has, and a few samples: pictures for images, the first rows for
tables, the points of 2-D sets coloured by class."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the preview module needs torch; this widget does not
    from engine.data.preview import DataPreview

CLASS_COLORS = ["#3b6fb6", "#e8590c", "#2e7d6b", "#b0403d", "#7b4fb0", "#c28a12", "#2f8fa3", "#a8527a",
                "#5f7d3a", "#60707f"]
MAX_CLASS_ROWS = 12


class ClassCounts(QWidget):
    """One bar per class: its name, a bar as long as its share, the count."""

    ROW = 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.counts: list[int] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_counts(self, names: list[str], counts: list[int]) -> None:
        self.names, self.counts = names, counts
        self.setFixedHeight(self._rows() * self.ROW + 2 if counts else 0)
        self.update()

    def _rows(self) -> int:
        return min(len(self.counts), MAX_CLASS_ROWS) + (len(self.counts) > MAX_CLASS_ROWS)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.counts:
            return
        painter = QPainter(self)
        metrics = QFontMetrics(self.font())
        shown = min(len(self.counts), MAX_CLASS_ROWS)
        name_width = min(max(metrics.horizontalAdvance(n) for n in self.names[:shown]) + 8, self.width() // 3)
        count_width = max(metrics.horizontalAdvance(f"{c:,}") for c in self.counts) + 10
        bar_width = max(self.width() - name_width - count_width - 2, 10)
        top = max(self.counts)
        for row in range(shown):
            y = row * self.ROW
            painter.setPen(QColor("#1f2933"))
            name = metrics.elidedText(self.names[row], Qt.TextElideMode.ElideRight, name_width - 6)
            painter.drawText(QRectF(0, y, name_width - 6, self.ROW), Qt.AlignmentFlag.AlignRight |
                             Qt.AlignmentFlag.AlignVCenter, name)
            length = bar_width * self.counts[row] / top if top else 0
            painter.fillRect(QRectF(name_width, y + 3, max(length, 1), self.ROW - 6),
                             QColor(CLASS_COLORS[row % len(CLASS_COLORS)]))
            painter.drawText(QRectF(name_width + length + 4, y, count_width, self.ROW), Qt.AlignmentFlag.AlignLeft |
                             Qt.AlignmentFlag.AlignVCenter, f"{self.counts[row]:,}")
        if len(self.counts) > MAX_CLASS_ROWS:
            painter.setPen(QColor("#6b7785"))
            painter.drawText(QRectF(0, shown * self.ROW, self.width(), self.ROW), Qt.AlignmentFlag.AlignVCenter,
                             f"… and {len(self.counts) - MAX_CLASS_ROWS} more classes")


class SampleGrid(QWidget):
    """Pictures with their labels, as many per row as fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[QImage] = []
        self.labels: list[str] = []
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_images(self, images: np.ndarray | None, labels: list[str]) -> None:
        self.images = [] if images is None else [_qimage(image) for image in images]
        self.labels = labels
        self.updateGeometry()
        self.update()

    def _cell(self) -> tuple[int, int]:
        if not self.images:
            return 0, 0
        side = max(self.images[0].width(), self.images[0].height())
        size = int(np.clip(side * 1.6, 40, 72))
        return size, size + QFontMetrics(self.font()).height() + 4

    def _columns(self, width: int) -> int:
        size, _ = self._cell()
        return max(1, (width + 6) // (size + 6)) if size else 1

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        if not self.images:
            return 0
        _, height = self._cell()
        rows = -(-len(self.images) // self._columns(width))
        return rows * (height + 6)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(300, self.heightForWidth(300))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.images:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        size, height = self._cell()
        columns = self._columns(self.width())
        metrics = QFontMetrics(self.font())
        for index, image in enumerate(self.images):
            x, y = (index % columns) * (size + 6), (index // columns) * (height + 6)
            target = QRectF(x, y, size, size)
            painter.fillRect(target, QColor("#000000"))
            scaled = image.size().scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(x + (size - scaled.width()) / 2, y + (size - scaled.height()) / 2,
                                     scaled.width(), scaled.height()), image)
            if index < len(self.labels):
                painter.setPen(QColor("#1f2933"))
                text = metrics.elidedText(self.labels[index], Qt.TextElideMode.ElideRight, size)
                painter.drawText(QRectF(x, y + size + 2, size, metrics.height()), Qt.AlignmentFlag.AlignHCenter, text)


class PointCloud(QWidget):
    """2-D samples as dots coloured by class."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.setFixedHeight(170)

    def set_points(self, points: np.ndarray | None, labels: np.ndarray | None) -> None:
        self.points, self.labels = points, labels
        self.setVisible(points is not None)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.points is None or not len(self.points):
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 8
        area = QRectF((self.width() - side) / 2, 4, side, side)
        painter.setPen(QPen(QColor("#d5dbe3")))
        painter.setBrush(QColor("#fafbfc"))
        painter.drawRect(area)
        low, high = self.points.min(0), self.points.max(0)
        span = np.maximum(high - low, 1e-9)
        painter.setPen(Qt.PenStyle.NoPen)
        for index, (px, py) in enumerate(self.points):
            label = int(self.labels[index]) if self.labels is not None else 0
            painter.setBrush(QColor(CLASS_COLORS[label % len(CLASS_COLORS)]))
            x = area.left() + 6 + (px - low[0]) / span[0] * (side - 12)
            y = area.bottom() - 6 - (py - low[1]) / span[1] * (side - 12)
            painter.drawEllipse(QPointF(x, y), 2.0, 2.0)


class DataPreviewBox(QWidget):
    """`show_preview(preview)` or `show_message(text)`; `caption` says what is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPreview")
        self.title = QLabel("<b>Preview</b>")
        self.caption = QLabel("Samples of the chosen data appear here.")
        self.caption.setWordWrap(True)
        self.counts_title = QLabel("Samples per class")
        self.counts_title.setStyleSheet("color: #6b7785;")
        self.counts = ClassCounts()
        self.samples_title = QLabel()
        self.samples_title.setStyleSheet("color: #6b7785;")
        self.grid = SampleGrid()
        self.points = PointCloud()
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setStyleSheet("QTableWidget { border: 1px solid #d5dbe3; }")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #6b7785;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        for widget in (self.title, self.caption, self.counts_title, self.counts, self.samples_title, self.points,
                       self.grid, self.table, self.notes):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.preview: DataPreview | None = None
        self.show_message(self.caption.text())

    def show_message(self, text: str) -> None:
        self.preview = None
        self.caption.setText(text)
        for widget in (self.counts_title, self.counts, self.samples_title, self.points, self.grid, self.table,
                       self.notes):
            widget.hide()

    def show_preview(self, preview: DataPreview) -> None:
        self.preview = preview
        self.caption.setText(preview.summary() + ".")
        names = preview.class_names or [str(i) for i in range(len(preview.class_counts or []))]
        has_counts = bool(preview.class_counts)
        self.counts.set_counts(names, preview.class_counts or [])
        self.counts_title.setVisible(has_counts)
        self.counts.setVisible(has_counts)
        self.grid.set_images(preview.images, preview.image_labels)
        self.grid.setVisible(preview.images is not None)
        self.points.set_points(preview.points, preview.point_labels)
        self._fill_table(preview)
        if preview.images is not None:
            self.samples_title.setText(f"{len(preview.images)} samples, spread over the set")
        elif preview.rows:
            self.samples_title.setText(f"The first {len(preview.rows)} rows"
                                       + (" and the points" if preview.points is not None else ""))
        self.samples_title.setVisible(preview.images is not None or bool(preview.rows))
        self.notes.setText(" ".join(preview.notes))
        self.notes.setVisible(bool(preview.notes))

    def _fill_table(self, preview: DataPreview) -> None:
        columns, rows = preview.columns, preview.rows
        limit = 8
        if len(columns) > limit + 1:  # wide samples: the first features, then the label
            keep = list(range(limit - 1)) + [len(columns) - 1] if preview.task != "reconstruction" else \
                list(range(limit))
            columns = [columns[i] for i in keep[:-1]] + ["…", columns[keep[-1]]]
            rows = [[row[i] for i in keep[:-1]] + ["…", row[keep[-1]]] for row in rows]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(columns)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == len(row) - 1 and preview.task != "reconstruction":
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + sum(self.table.rowHeight(r) for r in range(len(rows)))
        self.table.setFixedHeight(height + 2 + (self.table.horizontalScrollBar().sizeHint().height()
                                                if self.table.horizontalHeader().length() > self.width() else 0))
        self.table.setVisible(bool(rows))


def _qimage(image: np.ndarray) -> QImage:
    """[channels, height, width] in [0, 1] as an 8-bit QImage (grey or RGB)."""
    array = np.clip(np.asarray(image, dtype=np.float32), 0, 1)
    if array.ndim == 3 and array.shape[0] == 3:
        rgb = np.ascontiguousarray((np.transpose(array, (1, 2, 0)) * 255).astype(np.uint8))
        height, width = rgb.shape[:2]
        return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    grey = np.ascontiguousarray((array[0] if array.ndim == 3 else array) * 255).astype(np.uint8)
    height, width = grey.shape
    return QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
