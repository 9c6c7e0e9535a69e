"""The runs table: one row per recorded run (engine.runs.index.RunEntry), sortable by every column,
filtered by text (name, tags, note, settings), tags and note editable in place."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from gui.common import format as fmt
from gui.common.table_model import ColumnsModel

COLUMNS = ("Run", "Started", "Tags", "Note", "Parameters", "MACs", "Best val. acc.", "Test acc.", "Time",
           "Device", "Stop reason", "Status")
TAGS, NOTE = 2, 3
NUMERIC = {4, 5, 6, 7, 8}
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.2f} %" if value <= 1 else f"{value:.2f} %"


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def cells(entry: Any) -> tuple[tuple[str, Any], ...]:
    """(text, sort key) for each column of a run."""
    best = entry.best or {}
    val, test = best.get("val_accuracy"), best.get("test_accuracy")
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.started)) if entry.started else ""
    return ((entry.id, entry.id.lower()), (started, entry.started or 0.0),
            (", ".join(sorted(entry.tags)), ",".join(sorted(entry.tags))), (entry.note or "", entry.note or ""),
            (fmt.count(entry.params) if entry.params is not None else "", entry.params or 0),
            (fmt.compact(entry.macs) if entry.macs is not None else "", entry.macs or 0),
            (_percent(val), val if val is not None else -1.0), (_percent(test), test if test is not None else -1.0),
            (_seconds(entry.seconds), entry.seconds or 0.0), (entry.device or "", entry.device or ""),
            (entry.stop_reason or "", entry.stop_reason or ""), (entry.status, entry.status))


class RunsModel(ColumnsModel):
    """The entries of a run index; edits of tags and notes go to `on_edit(entry, column, text)`."""

    columns = COLUMNS

    def __init__(self, on_edit: Callable[[Any, int, str], None]) -> None:
        super().__init__()
        self.entries: list[Any] = []
        self._cells: list[tuple[tuple[str, Any], ...]] = []
        self.on_edit = on_edit

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self._cells = [cells(e) for e in self.entries]
        self.endResetModel()

    def rows_shown(self) -> int:
        return len(self.entries)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() in (TAGS, NOTE) else base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry, (text, key) = self.entries[index.row()], self._cells[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return text
        if role == SORT_ROLE:
            return key
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and entry.status != "complete":
            return QBrush(QColor("#d93a3a" if entry.status == "damaged" else "#a07000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.problem if entry.status == "damaged" and entry.problem else f"{entry.name}: {entry.path}"
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802 - Qt's name
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() not in (TAGS, NOTE):
            return False
        self.on_edit(self.entries[index.row()], index.column(), str(value))
        return True


class RunsFilter(QSortFilterProxyModel):
    """Rows whose name, tags, note, device, stop reason or settings contain every typed word."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.words = text.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if not self.words:
            return True
        entry = self.sourceModel().entries[row]
        settings = " ".join(f"{k}={v}" for k, v in (entry.settings or {}).items())
        haystack = " ".join([entry.name or "", entry.id, " ".join(entry.tags), entry.note or "",
                             entry.device or "", entry.stop_reason or "", entry.status, settings]).lower()
        return all(word in haystack for word in self.words)
