"""Gradient check: autograd against central differences in float64, per parameter tensor."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem

from gui.plots.base import PlotPanel

TOLERANCE = 1e-5


class GradcheckPanel(PlotPanel):
    title = "Gradient check"
    run_requested = Signal()
    empty_hint = ("Compares backprop's gradients with numerical ones (central differences, float64) on a small "
                  "batch of the project's data.")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.save_png_button.hide()
        self.run_button = QPushButton("Run gradient check")
        self.run_button.clicked.connect(self.run_requested)
        self.header.insertWidget(1, self.run_button)
        self.caption = QLabel(self.empty_hint)
        self.caption.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["tensor", "shape", "max relative error", "result"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # no clipped header, before a run too
        header.setStretchLastSection(True)
        self.body.addWidget(self.caption)
        self.body.addWidget(self.table, 1)
        self.results: list = []

    def clear(self) -> None:
        """Back to the empty state (another project)."""
        self.results = []
        self.table.setRowCount(0)
        self.caption.setText(self.empty_hint)
        self.run_button.setEnabled(True)

    def set_running(self) -> None:
        self.run_button.setEnabled(False)
        self.caption.setText("Checking… (float64, a few samples)")

    def show_error(self, message: str) -> None:
        self.run_button.setEnabled(True)
        self.caption.setText(f"<span style='color:#c62828'>{message}</span>")

    def set_results(self, results: list) -> None:
        self.results = results
        self.run_button.setEnabled(True)
        worst = max((r.max_relative_error for r in results), default=0.0)
        verdict = "all gradients agree" if worst <= TOLERANCE else "some gradients disagree"
        self.caption.setText(f"{len(results)} tensors checked; worst relative error {worst:.2e} "
                             f"(tolerance {TOLERANCE:g}): {verdict}.")
        self.table.setRowCount(len(results))
        for row, r in enumerate(results):
            ok = r.max_relative_error <= TOLERANCE
            cells = (r.name, "x".join(map(str, r.shape)), f"{r.max_relative_error:.2e}", "ok" if ok else "FAIL")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setForeground(QColor("#2e7d32" if ok else "#c62828"))
                self.table.setItem(row, column, item)

    def csv_table(self):
        return (("tensor", "shape", "entries", "max_relative_error", "max_abs_error"),
                ((r.name, "x".join(map(str, r.shape)), r.entries, r.max_relative_error, r.max_abs_error)
                 for r in self.results))
