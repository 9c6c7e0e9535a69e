"""Confusion matrix on a split; clicking a cell shows the samples counted there."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem

from gui.plots.image_grid import ImageGridPanel
from gui.plots.base import PlotPanel


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


class ConfusionPanel(PlotPanel):
    """Rows are true classes, columns predictions. `cell_selected(true, predicted)` on click."""

    title = "Confusion matrix"
    cell_selected = Signal(int, int)
    empty_hint = "Evaluate the model to see where it goes wrong (rows: true, columns: predicted)."

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self.empty_hint)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.cellClicked.connect(self._clicked)
        self.samples = ImageGridPanel()
        self.samples.title_label.setText("<b>Samples in the selected cell</b>")
        self.samples.show_message("Click a cell of the matrix.")
        self.samples.save_csv_button.hide()
        self.body.addWidget(self.caption)
        self.body.addWidget(self.table, 2)
        self.body.addWidget(self.samples, 1)
        self.matrix = np.zeros((0, 0), np.int64)
        self.labels = self.predictions = self.images = None

    def set_results(self, labels: np.ndarray, predictions: np.ndarray, images: np.ndarray | None,
                    class_names: list[str], split: str) -> None:
        self.labels, self.predictions, self.images = labels, predictions, images
        self.matrix = confusion_matrix(labels, predictions, len(class_names))
        accuracy = np.trace(self.matrix) / max(1, self.matrix.sum())
        self.caption.setText(f"{split} split: {self.matrix.sum()} samples, accuracy {accuracy:.2%}. "
                             "Click a cell to see its samples.")
        n = len(class_names)
        self.table.setRowCount(n)
        self.table.setColumnCount(n)
        self.table.setHorizontalHeaderLabels([f"pred {c}" for c in class_names])
        self.table.setVerticalHeaderLabels([f"true {c}" for c in class_names])
        row_totals = np.maximum(self.matrix.sum(axis=1, keepdims=True), 1)
        for r in range(n):
            for c in range(n):
                item = QTableWidgetItem(str(self.matrix[r, c]))
                share = self.matrix[r, c] / row_totals[r, 0]
                hue = QColor(31, 119, 180) if r == c else QColor(214, 39, 40)
                hue.setAlphaF(min(1.0, 0.08 + 0.9 * share) if self.matrix[r, c] else 0.0)
                item.setBackground(hue)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def clear(self) -> None:
        """Back to the empty state (another project, a new run)."""
        self.labels = self.predictions = self.images = None
        self.matrix = np.zeros((0, 0), np.int64)
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.caption.setText(self.empty_hint)
        self.samples.show_message("Click a cell of the matrix.")

    def sample_indices(self, true_class: int, predicted: int) -> np.ndarray:
        if self.labels is None:
            return np.zeros(0, np.int64)
        return np.flatnonzero((self.labels == true_class) & (self.predictions == predicted))

    def _clicked(self, row: int, column: int) -> None:
        indices = self.sample_indices(row, column)
        self.cell_selected.emit(row, column)
        if self.images is None or not len(indices):
            self.samples.show_message(f"{len(indices)} samples (true {row}, predicted {column}).")
            return
        shown = indices[:64]
        self.samples.set_data(f"{len(indices)} samples of class {row} predicted as {column}"
                              f"{' (first 64)' if len(indices) > 64 else ''}", self.images[shown].squeeze(1)
                              if self.images.ndim == 4 and self.images.shape[1] == 1 else self.images[shown])
        self.samples.refresh()

    def csv_table(self):
        n = self.matrix.shape[0]
        return ("true\\predicted", *range(n)), ((r, *self.matrix[r].tolist()) for r in range(n))
