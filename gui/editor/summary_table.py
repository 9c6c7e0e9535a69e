"""The network summary: one row per layer (output shape, activations, parameters, MACs) and a totals
row pinned under it (always visible, however far the table is scrolled), in the style of the classic
VGG memory/parameter table. Columns are as wide as their content. Clicking a row selects the layer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

from engine.graph import Network, python_name
from engine.layers.blocks import BLOCK, PORT_TYPES
from engine.shapes import Analysis, NodeInfo
from gui.common import format as fmt
from gui.common.table_model import ColumnsModel
from gui.document.document import Document

COLUMNS = ("Layer", "Type", "Output shape", "Activations", "Memory", "Parameters", "MACs")
NUMERIC = {3, 4, 5, 6}
TOTALS_BACKGROUND = "#eef1f5"
CELL_PADDING = 14  # the item's margins on both sides, and a little air


class SummaryModel(ColumnsModel):
    columns = COLUMNS

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self.rows: list[tuple[str | None, tuple[str, ...], str | None]] = []
        self.totals: tuple[str, ...] = ("Total",) + ("",) * (len(COLUMNS) - 1)
        self.totals_note: str | None = None  # why the totals cover only part of the network
        self.totals_model = TotalsModel(self)
        self._cache: dict[str, tuple[str | None, tuple[str, ...], str | None]] = {}
        self.expanded = False  # each block followed by the layers inside it
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
                row = (node_id, _cells(net, node_id, info, net.name_of(node_id)), info.error)
                self._cache[node_id] = row
            rows.append(row)
            if self.expanded and info_is_block(net, node_id):
                rows += _inner_rows(net, node_id, analysis.nodes[node_id], 1)
        live = set(analysis.order)
        for node_id in [n for n in self._cache if n not in live]:
            del self._cache[node_id]
        unknown = len(analysis.unknown_layers)
        count = len(analysis.order)  # the network's own layers, not those listed inside blocks
        layers = f"{count - unknown} of {count} layers" if unknown else f"{count} layers"
        totals = ("Total", layers, "", fmt.count(analysis.total_activations), fmt.memory(analysis.total_activations),
                  fmt.count(analysis.total_params), fmt.count(analysis.total_macs))
        note = analysis.totals_note or analysis.hint
        self.totals_model.beginResetModel()
        self.totals, self.totals_note = totals, note and note[0].upper() + note[1:] + ("." * (note[-1] != "."))
        self.totals_model.endResetModel()
        self.beginResetModel()  # last: the table fits its columns to the rows and the totals
        self.rows = rows
        self.endResetModel()

    def set_expanded(self, expanded: bool) -> None:
        """List the layers inside each block (indented, by module path) or the blocks alone."""
        if expanded != self.expanded:
            self.expanded = expanded
            self.refresh(self.document.analysis, set())

    def rows_shown(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node_id, cells, error = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cells[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and error:
            return QBrush(QColor("#d93a3a"))
        if role == Qt.ItemDataRole.ToolTipRole and error:
            return error
        if role == Qt.ItemDataRole.UserRole:
            return node_id
        return None

    def row_of(self, node_id: str) -> int:
        return next((i for i, row in enumerate(self.rows) if row[0] == node_id), -1)

    def widest(self, column: int) -> list[str]:
        """The few longest texts of a column (the candidates for its width; measuring every cell of a
        large network on each edit would cost more than the edit)."""
        texts = sorted({row[1][column] for row in self.rows}, key=len, reverse=True)
        return texts[:4]


def _cells(net: Network, node_id: str, info: NodeInfo, name: str) -> tuple[str, ...]:
    spec = net.spec(node_id)
    kind = f"▣ {net.params_view(node_id)['definition']}" if spec.type_id == BLOCK else spec.display_name
    return (name, kind, fmt.shape_text(info.output_shape), fmt.count(info.activations), fmt.memory(info.activations),
            fmt.count(info.params), fmt.count(info.macs))


def info_is_block(net: Network, node_id: str) -> bool:
    return net.graph.nodes[node_id]["type"] == BLOCK


def _inner_rows(net: Network, block: str, info: NodeInfo, depth: int) -> list:
    """The rows of the layers inside a block, each repetition's, named by module path; a click on one
    selects the block (node id of the top-level row's block is kept by the caller's rows)."""
    library = net.library
    definition = library.get(net.params_view(block)["definition"]) if library is not None else None
    if definition is None:
        return []
    inner, rows = definition.network, []
    for analysis in info.inner:
        for node_id in analysis.order:
            if inner.graph.nodes[node_id]["type"] in PORT_TYPES:
                continue
            inner_info = analysis.nodes[node_id]
            path = f"{analysis.path}.{python_name(inner.name_of(node_id))}"
            rows.append((None, _cells(inner, node_id, inner_info, "    " * depth + path), inner_info.error))
            if info_is_block(inner, node_id):
                rows += _inner_rows(inner, node_id, inner_info, depth + 1)
    return rows


class TotalsModel(ColumnsModel):
    """The one totals row of a SummaryModel, shown pinned under the table."""

    columns = COLUMNS

    def __init__(self, summary: SummaryModel) -> None:
        super().__init__()
        self.summary = summary

    def rows_shown(self) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.summary.totals[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.summary.totals_note or "Totals of every layer, per sample."
        return None


def _bold(font: QFont) -> QFont:
    font = QFont(font)
    font.setBold(True)
    return font


class SummaryTable(QTableView):
    """The per-layer rows scroll; `footer` (the totals) stays under them, its columns following the
    table's widths and horizontal scrolling."""

    node_clicked = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = SummaryModel(document)
        self.act_expand = QAction("Show Layers Inside Blocks", self, checkable=True)
        self.act_expand.setToolTip("List each block's layers under it (by module path), or the blocks alone")
        self.act_expand.toggled.connect(self.summary.set_expanded)
        self.addAction(self.act_expand)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.setModel(self.summary)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        row_height = max(22, self.fontMetrics().height() + 8)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(row_height)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)

        self.footer = QTableView(self)
        self.footer.setObjectName("summaryTotals")
        self.footer.setModel(self.summary.totals_model)
        self.footer.horizontalHeader().hide()
        self.footer.verticalHeader().hide()
        self.footer.verticalHeader().setDefaultSectionSize(row_height)
        self.footer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.footer.setFont(_bold(self.font()))
        self.footer.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.footer.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.footer.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.footer.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.footer.setFrameShape(QFrame.Shape.NoFrame)
        self.footer.setStyleSheet(f"QTableView#summaryTotals {{ background: {TOTALS_BACKGROUND}; "
                                  "border-top: 1px solid #c9d0d8; }")
        self._footer_height = row_height + 1
        header.sectionResized.connect(lambda column, _, width: self.footer.setColumnWidth(column, width))
        self.horizontalScrollBar().valueChanged.connect(self.footer.horizontalScrollBar().setValue)
        self._refit = False  # another network: fit the columns exactly at the next refresh
        document.reset.connect(lambda: setattr(self, "_refit", True))
        self.summary.modelReset.connect(self._after_refresh)
        self.fit_columns(shrink=True)
        self.clicked.connect(self._on_click)

    def fit_columns(self, shrink: bool = False) -> None:
        """Every column as wide as its widest text (header, rows, bold totals). Columns only grow while
        the network is edited, so widths a person chose stay; `shrink` fits them exactly."""
        plain, bold = self.fontMetrics(), QFontMetrics(self.footer.font())
        header = QFontMetrics(self.horizontalHeader().font())
        for column, title in enumerate(COLUMNS):
            needed = max([header.horizontalAdvance(title) + 2 * CELL_PADDING,
                          bold.horizontalAdvance(self.summary.totals[column]) + CELL_PADDING,
                          *(plain.horizontalAdvance(text) + CELL_PADDING for text in self.summary.widest(column))])
            if shrink or self.columnWidth(column) < needed:
                self.setColumnWidth(column, needed)

    def _after_refresh(self) -> None:
        self.fit_columns(shrink=self._refit)
        self._refit = False

    def updateGeometries(self) -> None:  # noqa: N802 - Qt's name
        super().updateGeometries()
        if getattr(self, "footer", None) is None:  # setModel() runs this before the footer exists
            return
        margins = self.viewportMargins()  # QTableView sets them for its headers: add the footer's room
        if margins.bottom() != self._footer_height:
            self.setViewportMargins(margins.left(), margins.top(), margins.right(), self._footer_height)
        viewport = self.viewport().geometry()
        self.footer.setGeometry(viewport.left(), viewport.bottom() + 1, viewport.width(), self._footer_height)
        for column in range(len(COLUMNS)):
            self.footer.setColumnWidth(column, self.columnWidth(column))
        self.footer.horizontalScrollBar().setRange(self.horizontalScrollBar().minimum(),
                                                   self.horizontalScrollBar().maximum())
        self.footer.horizontalScrollBar().setValue(self.horizontalScrollBar().value())

    def _on_click(self, index: QModelIndex) -> None:
        node_id = self.summary.data(index, Qt.ItemDataRole.UserRole)
        if node_id:
            self.node_clicked.emit(node_id)
