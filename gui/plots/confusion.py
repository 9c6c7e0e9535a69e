"""Confusion matrix on a split (computed at the end of every classification run, and on request
with the Evaluate button); clicking a cell shows the samples counted there."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget, QTableWidgetItem

from gui.plots.base import PlotPanel
from gui.plots.image_grid import ImageView

SHOWN = 64


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


class ConfusionPanel(PlotPanel):
    """Rows are true classes, columns predictions. `cell_selected(true, predicted)` on click;
    `evaluate_requested` when the Evaluate button is pressed."""

    title = "Confusion matrix"
    cell_selected = Signal(int, int)
    evaluate_requested = Signal()
    empty_hint = ("Where the model goes wrong: rows are the true classes, columns the predictions. Computed at "
                  "the end of each classification run; press Evaluate to compute it now.")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip("Compute the matrix now from the current weights (the validation split, "
                                        "or the test split when there is none)")
        self.evaluate_button.clicked.connect(self._evaluate)
        self.header.insertWidget(1, self.evaluate_button)
        self.caption = QLabel(self.empty_hint)
        self.caption.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.cellClicked.connect(self._clicked)
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(24)
        self.samples = ImageView("Click a cell of the matrix to see its samples.")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.samples)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])  # 3 : 2 of whatever width the panel gets
        splitter.setChildrenCollapsible(False)
        self.body.addWidget(self.caption)
        self.body.addWidget(splitter, 1)
        self.use_reset_view(self.samples.canvas)
        self.matrix = np.zeros((0, 0), np.int64)
        self.labels = self.predictions = self.images = None
        self.class_names: list[str] = []

    def _evaluate(self) -> None:
        self.caption.setText("Evaluating…")
        self.evaluate_requested.emit()

    def show_message(self, text: str) -> None:
        self.caption.setText(text)

    def set_results(self, labels: np.ndarray, predictions: np.ndarray, images: np.ndarray | None,
                    class_names: list[str], split: str, when: str = "") -> None:
        self.labels, self.predictions, self.images = labels, predictions, images
        self.class_names = list(class_names)
        self.matrix = confusion_matrix(labels, predictions, len(class_names))
        accuracy = np.trace(self.matrix) / max(1, self.matrix.sum())
        self.caption.setText(f"{split} split{when}: {self.matrix.sum()} samples, accuracy {accuracy:.2%}. Rows: true "
                             "class, columns: predicted; blue the right answers, red the mistakes (darker: a larger "
                             "share of the row). Click a cell to see its samples.")
        n = len(class_names)
        self.table.setRowCount(n)
        self.table.setColumnCount(n)
        self.table.setHorizontalHeaderLabels([f"pred {c}" for c in class_names])
        self.table.setVerticalHeaderLabels([f"true {c}" for c in class_names])
        row_totals = np.maximum(self.matrix.sum(axis=1, keepdims=True), 1)
        for r in range(n):
            for c in range(n):
                item = QTableWidgetItem(str(self.matrix[r, c]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                share = self.matrix[r, c] / row_totals[r, 0]
                hue = QColor(31, 119, 180) if r == c else QColor(214, 39, 40)
                hue.setAlphaF(min(1.0, 0.08 + 0.9 * share) if self.matrix[r, c] else 0.0)
                item.setBackground(hue)
                if share > 0.6:
                    item.setForeground(QColor("white"))
                elif not self.matrix[r, c]:
                    item.setForeground(QColor(170, 170, 170))
                item.setToolTip(f"true {class_names[r]}, predicted {class_names[c]}: {self.matrix[r, c]} "
                                f"({share:.1%} of the true {class_names[r]})")
                self.table.setItem(r, c, item)

    def clear(self) -> None:
        """Back to the empty state (another project, a new run)."""
        self.labels = self.predictions = self.images = None
        self.matrix = np.zeros((0, 0), np.int64)
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.caption.setText(self.empty_hint)
        self.samples.show_message("Click a cell of the matrix to see its samples.")

    def sample_indices(self, true_class: int, predicted: int) -> np.ndarray:
        if self.labels is None:
            return np.zeros(0, np.int64)
        return np.flatnonzero((self.labels == true_class) & (self.predictions == predicted))

    def _clicked(self, row: int, column: int) -> None:
        indices = self.sample_indices(row, column)
        self.cell_selected.emit(row, column)
        names = self.class_names or [str(i) for i in range(self.matrix.shape[0])]
        words = f"true {names[row]}, predicted {names[column]}"
        if self.images is None or not len(indices) or self.images.ndim < 3:
            self.samples.show_message(f"{len(indices)} samples ({words}).")
            return
        shown = indices[:SHOWN]
        self.samples.show_pictures(f"{len(indices)} samples, {words}"
                                   f"{f' (first {SHOWN})' if len(indices) > SHOWN else ''}.", self.images[shown])

    @property
    def shown_samples(self) -> int:
        return len(self.samples.canvas.tiles)

    def csv_table(self):
        n = self.matrix.shape[0]
        return ("true\\predicted", *range(n)), ((r, *self.matrix[r].tolist()) for r in range(n))
