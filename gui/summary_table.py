"""The network summary: one row per layer (output shape, activations, parameters, MACs) plus totals,
in the style of the classic VGG memory/parameter table. Clicking a row selects the layer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from engine.shapes import Analysis
from gui import format as fmt
from gui.document import Document

COLUMNS = ("Layer", "Type", "Output shape", "Activations", "Memory", "Parameters", "MACs")
NUMERIC = {3, 4, 5, 6}


class SummaryModel(QAbstractTableModel):
    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self.rows: list[tuple[str | None, tuple[str, ...], str | None]] = []
        self._cache: dict[str, tuple[str | None, tuple[str, ...], str | None]] = {}
        document.reset.connect(self._cache.clear)
        document.analysis_changed.connect(self.refresh)
        document.changed.connect(self._on_change)
        self.refresh(document.analysis, None)

    def _on_change(self, change) -> None:
        if change.kind == "renamed":
            self._cache.pop(change.node, None)
            self.refresh(self.document.analysis, set())

    def refresh(self, analysis: Analysis, changed: Any = None) -> None:
        """Rebuild the rows; only layers whose info changed are formatted again."""
        net = self.document.network
        if changed is None:
            self._cache.clear()
        for node_id in changed or ():
            self._cache.pop(node_id, None)
        rows = []
        for node_id in analysis.order:
            row = self._cache.get(node_id)
            if row is None:
                info = analysis.nodes[node_id]
                spec = net.spec(node_id)
                row = (node_id, (net.name_of(node_id), spec.display_name, fmt.shape_text(info.output_shape),
                                 fmt.count(info.activations), fmt.memory(info.activations),
                                 fmt.count(info.params), fmt.count(info.macs)), info.error)
                self._cache[node_id] = row
            rows.append(row)
        live = set(analysis.order)
        for node_id in [n for n in self._cache if n not in live]:
            del self._cache[node_id]
        rows.append((None, ("Total", f"{len(rows)} layers", "", fmt.count(analysis.total_activations),
                            fmt.memory(analysis.total_activations), fmt.count(analysis.total_params),
                            fmt.count(analysis.total_macs)), None))
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node_id, cells, error = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cells[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and node_id is None:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and error:
            return QBrush(QColor("#d93a3a"))
        if role == Qt.ItemDataRole.BackgroundRole and node_id is None:
            return QBrush(QColor("#eef1f5"))
        if role == Qt.ItemDataRole.ToolTipRole and error:
            return error
        if role == Qt.ItemDataRole.UserRole:
            return node_id
        return None

    def row_of(self, node_id: str) -> int:
        return next((i for i, row in enumerate(self.rows) if row[0] == node_id), -1)


class SummaryTable(QTableView):
    node_clicked = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = SummaryModel(document)
        self.setModel(self.summary)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((150, 150, 120, 100, 90, 100, 110)):
            self.setColumnWidth(column, width)
        self.clicked.connect(self._on_click)

    def _on_click(self, index: QModelIndex) -> None:
        node_id = self.summary.data(index, Qt.ItemDataRole.UserRole)
        if node_id:
            self.node_clicked.emit(node_id)
