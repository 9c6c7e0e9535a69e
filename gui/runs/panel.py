"""The Runs panel: every recorded run (engine.runs.index) in a sortable, filterable table with
editable tags and notes; overlay the selected runs' curves or chart the trade-off of the best
metric against cost; compare two runs (settings and architecture); open a run's network as a
project; delete runs (asked first; Undo Delete brings them back while the app is open)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.runs.index import RunIndex
from gui.common import dialogs
from gui.runs.charts import RunCharts
from gui.runs.compare_dialog import show_comparison
from gui.runs.table import ENTRY_ROLE, NOTE, RunsFilter, RunsModel


class RunsPanel(QWidget):
    open_requested = Signal(object)  # a RunEntry whose network and settings should open as a project
    continue_requested = Signal(object)  # a RunEntry to open as a project that trains on from its weights

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = RunIndex(folder)
        self.stale = False  # runs were saved since the table was filled (it refreshes when shown)
        self.trash: list[Path] = []  # deleted runs, newest last (Undo Delete)
        self.model = RunsModel(self._edited)
        self.proxy = RunsFilter()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: words in the name, tags, note, settings (e.g. adam lr=0.01)")
        self.filter_edit.textChanged.connect(self._filter)
        self.count_label = QLabel()
        self.charts = RunCharts()
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.count_label)
        for key, text, tip, slot in (
                ("refresh", "Refresh", "Read the runs folder again", self.refresh),
                ("compare", "Compare…", "Settings and architecture differences of two selected runs", self.compare),
                ("open", "Open", "Open the selected run's network and settings as a project", self.open_selected),
                ("continue", "Continue", "Open the selected run to train on from its weights: Train then starts "
                 "from them (training.init_from); change settings, data or the head first if you like",
                 self.continue_selected),
                ("delete", "Delete…", "Move the selected runs to the trash (asks first)", self.delete_selected),
                ("undo", "Undo Delete", "Bring back the runs deleted last", self.undo_delete)):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, slot=slot: slot())
            self.buttons[key] = button
            row.addWidget(button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.charts)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        self._sized = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._sized:  # the table gets most of the width: it is what a person reads first
            self._sized = True
            width = max(self.splitter.width(), 600)
            self.splitter.setSizes([int(width * 0.58), int(width * 0.42)])

    # -- what is shown ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Pick up new or changed run directories and show every run."""
        self.stale = False
        self.index.refresh()
        self.model.set_entries(self.index.entries())
        self.table.resizeColumnsToContents()
        self._filter(self.filter_edit.text())

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total} runs" if shown != total else f"{total} runs")
        self._selection_changed()

    def shown_entries(self) -> list[Any]:
        return [self.proxy.index(r, 0).data(ENTRY_ROLE) for r in range(self.proxy.rowCount())]

    def selected_entries(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(ENTRY_ROLE) for r in rows]

    def select_ids(self, ids: list[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(ENTRY_ROLE).id in ids:
                selection.select(self.proxy.index(r, 0), flags)

    def _selection_changed(self) -> None:
        selected = self.selected_entries()
        self.buttons["compare"].setEnabled(len(selected) == 2)
        self.buttons["open"].setEnabled(len(selected) == 1 and selected[0].status != "damaged")
        self.buttons["continue"].setEnabled(len(selected) == 1 and selected[0].status == "complete")
        self.buttons["delete"].setEnabled(bool(selected))
        self.buttons["undo"].setEnabled(bool(self.trash))
        self.charts.show_runs(selected, self.shown_entries())

    # -- edits ---------------------------------------------------------------------------------
    def _edited(self, entry: Any, column: int, text: str) -> None:
        if column == NOTE:
            self.index.set_note(entry.id, text)
        else:
            self.index.set_tags(entry.id, {t.strip() for t in text.split(",") if t.strip()})
        ids = [e.id for e in self.selected_entries()]
        self.model.set_entries(self.index.entries())
        self.select_ids(ids)

    def compare(self) -> None:
        selected = self.selected_entries()
        if len(selected) == 2:
            show_comparison(self, *selected)

    def open_selected(self) -> None:
        selected = self.selected_entries()
        if len(selected) == 1:
            self.open_requested.emit(selected[0])

    def continue_selected(self) -> None:
        selected = self.selected_entries()
        if len(selected) == 1 and selected[0].status == "complete":
            self.continue_requested.emit(selected[0])

    def delete_selected(self, ask: bool = True) -> None:
        selected = self.selected_entries()
        if not selected:
            return
        names = ", ".join(e.name or e.id for e in selected[:5]) + (" …" if len(selected) > 5 else "")
        if ask and not dialogs.ask_yes_no(self, "Delete runs", f"Move {len(selected)} run(s) to the trash "
                                          f"({names})? Undo Delete brings them back while LayerLab is open."):
            return
        for entry in selected:
            self.trash.append(self.index.delete(entry.id))
        self.refresh()

    def undo_delete(self) -> None:
        if self.trash:
            self.index.restore(self.trash.pop())
            self.refresh()
