"""File > Import: start from a torchvision architecture (an editable LayerLab graph, imported on the
compute thread), or load a weights file (safetensors or a weights-only state dict) into the
current project and save the result as a run directory. Refusals list what cannot be imported;
no code is run from a file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.compiler import compile_network
from engine.errors import LayerLabError
from engine.export.source import save_run_dir
from engine.graph import python_name
from engine.importers import (
    DEFAULT_INPUT_SHAPE,
    ImportResult,
    WeightsReport,
    load_weights_file,
)
from engine.project import Project
from gui.common.compute import run_in_background
from gui.common.text_fit import reading_width
from gui.files.import_sources import SourcePicker
from gui.files.widgets import with_browse


class ImportDialog(QDialog):
    """Two tabs: 'Architecture' fills `imported` (accept() then returns it to the caller);
    'Weights' loads a file into `project` and writes a run directory."""

    def __init__(self, project: Project | None = None, parent: QWidget | None = None,
                 keep_in: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.project = project
        self.keep_in = keep_in  # where an import's own weights are kept as a run (None: not kept)
        self.imported: ImportResult | None = None
        self.kept: Path | None = None  # the run directory holding the imported file's weights
        self.weights_report: WeightsReport | None = None
        self.run_dir: Path | None = None
        self._running = False

        self.tabs = QTabWidget()
        self.tabs.addTab(self._architecture_tab(), "Architecture")
        self.tabs.addTab(self._weights_tab(), "Weights")
        self.tabs.setTabEnabled(1, project is not None)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # busy: an import reports no steps
        self.busy.hide()
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setMaximumBlockCount(500)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.busy)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(reading_width(self, 64))
        self.resize(reading_width(self, 96), self.sizeHint().height())

    # -- architecture ----------------------------------------------------------------------
    def _architecture_tab(self) -> QWidget:
        self.source = SourcePicker()
        self.model_box = self.source.model_box
        self.shape_edit = QLineEdit(",".join(map(str, DEFAULT_INPUT_SHAPE)))
        self.shape_edit.setToolTip("Channels, height, width of one input image, e.g. 3,224,224")
        self.import_button = QPushButton("Import")
        self.import_button.clicked.connect(self.import_architecture)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(self.source)
        form.addRow("Input shape (C,H,W):", self.shape_edit)
        form.addRow("", self.import_button)
        return page

    def import_architecture(self) -> bool:
        """Start importing the chosen model on the compute thread (tracing, shapes and layout of a
        large model take seconds; the window keeps answering). On success the dialog is accepted
        with `imported` set; a refusal is reported and the dialog stays. False if not started."""
        try:
            shape = tuple(int(v) for v in self.shape_edit.text().replace("x", ",").split(","))
        except ValueError:
            self._say(f"'{self.shape_edit.text()}' is not a shape such as 3,224,224.")
            return False
        try:
            job, text = self.source.job(shape)
        except ValueError as error:
            self._say(str(error))
            return False
        source = self.source.weights_file()
        if source is not None and self.keep_in is not None:
            job = _keeping(job, self.keep_in, source)
        self._start(job, f"{text}: tracing it, checking every layer's shape, grouping its blocks…")
        return True

    def _start(self, job: Callable[[], ImportResult], text: str) -> None:
        self.import_button.setEnabled(False)
        self._running = True
        self.busy.show()
        self._say(text)
        run_in_background(job, self._imported, self._refused, owner=self)

    def _imported(self, loaded: ImportResult | tuple[ImportResult, Path]) -> None:
        self._stop()
        result, self.kept = loaded if isinstance(loaded, tuple) else (loaded, None)
        self.imported = result
        project = result.project
        blocks = f" ({len(project.blocks)} block definitions)" if len(project.blocks) else ""
        params = getattr(result, "reference_params", None)
        difference = getattr(result, "max_abs_diff", None)
        checked = (f"{params:,} parameters (the same as the original's)" if params is not None else
                   f"outputs within {difference:.1e} of the original's on a probe batch" if difference is not None
                   else "imported")
        kept = (f" Its weights are kept as the run {self.kept.name}: Play and Export use them, and Train "
                "starts from them." if self.kept is not None else "")
        self._say(f"Imported {project.name}: {len(project.network)} cards{blocks}, {checked}.{kept}")
        self.accept()

    def _refused(self, message: str) -> None:
        self._stop()
        self._say(f"Not imported: {message}")

    def _stop(self) -> None:
        self.import_button.setEnabled(True)
        self._running = False
        self.busy.hide()

    @property
    def importing(self) -> bool:
        """An import is running on the compute thread."""
        return self._running

    # -- weights ----------------------------------------------------------------------------
    def _weights_tab(self) -> QWidget:
        self.weights_edit = QLineEdit()
        self.run_edit = QLineEdit()
        self.load_button = QPushButton("Load weights and save run")
        self.load_button.clicked.connect(self.load_weights)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Weights file:", with_browse(self.weights_edit, self._browse_weights))
        form.addRow("Save as run directory:", with_browse(self.run_edit, self._browse_run))
        note = QLabel("safetensors, or a state dict read with weights_only=True (never code).")
        note.setWordWrap(True)
        form.addRow("", note)
        form.addRow("", self.load_button)
        return page

    def _browse_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Weights file", "",
                                              "Weights (*.safetensors *.pt *.pth *.bin);;All files (*)")
        if path:
            self.weights_edit.setText(path)

    def _browse_run(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Run directory")
        if path:
            self.run_edit.setText(path)

    def load_weights(self) -> WeightsReport | None:
        """Load the file into the project's network; write the run directory if every tensor fits."""
        if self.project is None:
            return None
        weights, run_dir = self.weights_edit.text().strip(), self.run_edit.text().strip()
        if not weights or not run_dir:
            self._say("Choose a weights file and a run directory to save into.")
            return None
        with _Busy():
            try:
                model = compile_network(self.project.network)
                report = load_weights_file(model, weights)
            except LayerLabError as error:
                self._say(f"Not loaded: {error}")
                return None
            self.weights_report = report
            if not report.complete:
                self._say(f"{report.summary()}\nNothing saved: the file does not fill the whole network.")
                return report
            self.run_dir = save_run_dir(self.project, model.state_dict(), run_dir, origin=f"weights file {weights}")
        self._say(f"{report.summary()}\nSaved run directory {self.run_dir}.")
        return report

    def _say(self, text: str) -> None:
        self.report.setPlainText(text)


def _keeping(job: Callable[[], ImportResult], folder: Path, source: str) -> Callable[[], tuple]:
    """The import, then (on the same compute thread) its weights saved as a run in `folder`."""
    def run() -> tuple[ImportResult, Path]:
        from engine.importers.keep import keep_weights

        result = job()
        name = f"{python_name(result.project.name)}-imported-{time.strftime('%Y%m%d-%H%M%S')}"
        return result, keep_weights(result.project, result.reference, folder / name, f"imported from {source}")

    return run


class _Busy:
    """A wait cursor for the duration of a `with` block."""

    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()
