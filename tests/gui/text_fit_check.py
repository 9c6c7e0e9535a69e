"""Looks at every dialog and panel the newcomer meets and lists the labels whose text is cut off.
Run in the test process (QT_SCALE_FACTOR 1) and as a script in a fresh one (QT_SCALE_FACTOR=1.5 is
read when the QApplication is made): `python -m tests.gui.text_fit_check` prints JSON."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def report() -> dict[str, list[str]]:
    """{place: [clipped label, ...]} for the export and import dialogs, the sample gallery, the
    inspector (every layer type), the summary's totals and the Data tab of an imported model."""
    from engine.export import FORMATS
    from engine.project import load_project
    from gui.common.text_fit import clipped_labels
    from gui.document.document import Document
    from gui.editor.inspector import Inspector
    from gui.editor.summary_table import SummaryTable
    from gui.files.export_dialog import ExportDialog
    from gui.files.import_dialog import ImportDialog
    from gui.files.sample_gallery import SampleGallery
    from gui.training.panel import TrainingPanel
    from tests.engine.export.networks import every_layer_project

    found: dict[str, list[str]] = {}
    lenet = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    lenet.name = "A project with a rather long name, to see the Model line wrap"
    dialog = ExportDialog(lenet, Path(tempfile.gettempdir()) / "runs" / "a-run-directory-20260101-120000")
    dialog.show()
    for name in FORMATS:
        dialog.select_format(name)
        _wait(20)
        found[f"export dialog ({name})"] = clipped_labels(dialog)
    dialog._show("Not exported: " + "a long reason that needs several lines to be read in full " * 3, error=True)
    _wait(20)
    found["export dialog (a long message)"] = clipped_labels(dialog)
    dialog.close()

    imports = ImportDialog(lenet)
    imports.show()
    for tab in range(imports.tabs.count()):
        imports.tabs.setCurrentIndex(tab)
        _wait(20)
        found[f"import dialog (tab {tab})"] = clipped_labels(imports)
    imports.close()

    gallery = SampleGallery()
    gallery.show()
    _wait(50)
    found["sample gallery"] = clipped_labels(gallery) + gallery_items_cut(gallery)
    gallery.close()

    document = Document(every_layer_project())
    inspector = Inspector(document)
    inspector.resize(360, 700)
    inspector.show()
    for node_id in document.network.node_ids:
        inspector.show_node(node_id)
        _wait(60)
        clipped = clipped_labels(inspector.widget())
        if clipped:
            found[f"inspector ({document.network.spec(node_id).type_id})"] = clipped
    inspector.close()

    table = SummaryTable(Document(lenet))
    table.resize(900, 160)
    table.show()
    _wait(20)
    found["summary totals"] = summary_cut(table)
    table.close()

    panel = TrainingPanel()
    panel.resize(360, 700)
    panel.set_network(document.network, document.analysis)
    panel.load_sections({}, {})
    panel.show()
    _wait(20)
    found["training panel (no dataset)"] = clipped_labels(panel)
    panel.close()
    return {place: labels for place, labels in found.items() if labels}


def gallery_items_cut(gallery) -> list[str]:
    """Items whose wrapped text is taller than the item (the gallery used to elide with '…')."""
    from PySide6.QtCore import QRect, Qt

    cut = []
    view = gallery.list
    for row in range(view.count()):
        item = view.item(row)
        rect = view.visualItemRect(item)
        needed = view.fontMetrics().boundingRect(QRect(0, 0, rect.width() - 8, 100_000),
                                                 int(Qt.TextFlag.TextWordWrap), item.text())
        if needed.height() > rect.height():
            cut.append(f"{item.text()[:50]!r} needs {needed.height()} px, has {rect.height()}")
    return cut


def summary_cut(table) -> list[str]:
    """Totals not shown in full, or not visible under the rows."""
    cut = []
    footer = table.footer
    if not footer.isVisible() or footer.height() < footer.rowHeight(0):
        cut.append("the totals row is not visible")
    metrics = footer.fontMetrics()
    for column in range(footer.model().columnCount()):
        text = footer.model().index(0, column).data()
        if metrics.horizontalAdvance(text) + 8 > table.columnWidth(column):
            cut.append(f"total {text!r} is wider than its column ({table.columnWidth(column)} px)")
    return cut


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication(sys.argv[:1])
    from gui.app import setup_application

    setup_application()
    result = {"scale": app.primaryScreen().devicePixelRatio(), "clipped": report()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
