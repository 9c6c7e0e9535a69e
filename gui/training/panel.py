"""The training panel: data and training settings as forms, a data preview, Train / Pause /
Resume / Step / Stop, progress with samples per second and ETA, and a live learning rate."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea,
                               QTabWidget, QVBoxLayout, QWidget)

from engine.data.dataset import load_dataset
from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.errors import LayerLabError
from engine.training.settings import TrainingSettings
from gui.compute import run_in_background
from gui.param_editors import ScientificSpinBox
from gui.plots.image_grid import ImageGridPanel
from gui.training.progress import Progress
from gui.training.settings_form import SettingsForm

SYNTHETIC = ("spiral", "circles", "xor", "blobs", "moons")
RELEVANT_FIELDS = {  # dataset fields that only some sources use
    "samples": SYNTHETIC, "noise": SYNTHETIC, "classes": SYNTHETIC,
    "path": ("csv", "npz", "image_folder", "torchvision"), "name": ("torchvision",), "download": ("torchvision",),
    "label_column": ("csv",), "test_split": SYNTHETIC + ("csv", "npz", "image_folder"), "image_size": ("image_folder", "torchvision"), "grayscale": ("image_folder",),
}
LOCK_NOTE = "The network and its settings are locked while a run is in progress; stop it to edit."


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    return area


class TrainingPanel(QWidget):
    """Emits the user's intent; the window connects it to the controller and the document."""

    train_clicked = Signal()
    pause_clicked = Signal()
    resume_clicked = Signal()
    step_clicked = Signal()
    stop_clicked = Signal()
    lr_changed = Signal(float)
    settings_edited = Signal(str, dict)  # section name, values (only those changed from defaults)
    preview_loaded = Signal(object)  # engine Dataset of the preview (its sample_shape binds the Input)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_form = SettingsForm(DatasetSettings)
        self.training_form = SettingsForm(TrainingSettings)
        self.preview = ImageGridPanel()
        self.preview.title_label.setText("<b>Preview</b>")
        self.preview.save_csv_button.hide()
        self.preview.show_message("Samples of the chosen data appear here.")
        data_page = QWidget()
        data_layout = QVBoxLayout(data_page)
        data_layout.addWidget(self.data_form)
        data_layout.addWidget(self.preview, 1)
        self.forms = QTabWidget()
        self.forms.addTab(_scrolled(data_page), "Data")
        self.forms.addTab(_scrolled(self.training_form), "Training")

        self.train_button = QPushButton("Train")
        self.train_button.setShortcut("F5")
        self.pause_button = QPushButton("Pause")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("While paused: train on one more batch.")
        self.stop_button = QPushButton("Stop")
        self.live_lr = ScientificSpinBox()
        self.live_lr.setRange(1e-8, 100.0)
        self.live_lr.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.live_lr.setToolTip("Change the learning rate of the run in progress (from its next step).")
        self.live_lr.setKeyboardTracking(False)
        buttons = QHBoxLayout()
        for widget in (self.train_button, self.pause_button, self.step_button, self.stop_button):
            buttons.addWidget(widget)
        live = QHBoxLayout()
        live.addWidget(QLabel("Learning rate of the run in progress:"))
        live.addWidget(self.live_lr, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(live)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addWidget(self.forms, 1)

        self.progress = Progress()
        self._loading = False
        self._preview_timer = QTimer(self, singleShot=True, interval=400)
        self._preview_timer.timeout.connect(self.load_preview)
        self.train_button.clicked.connect(self.train_clicked)
        self.pause_button.clicked.connect(self._pause_or_resume)
        self.step_button.clicked.connect(self.step_clicked)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.live_lr.valueChanged.connect(self.lr_changed)
        self.data_form.changed.connect(lambda: self._edited("dataset", self.data_form))
        self.data_form.changed.connect(self._show_relevant_fields)
        self.training_form.changed.connect(lambda: self._edited("training", self.training_form))
        self.set_state("idle")

    # -- settings ----------------------------------------------------------------------------
    def load_sections(self, dataset: dict, training: dict) -> None:
        """Show a project's settings (without emitting edits)."""
        self._loading = True
        try:
            self.data_form.set_settings(DatasetSettings.from_dict(dataset))
            self.training_form.set_settings(TrainingSettings.from_dict(training))
            self.message.clear()
        except SettingsError as error:
            self.message.setText(f"The project's settings have a problem: {error}")
        finally:
            self._loading = False
        self._show_relevant_fields()
        self._preview_timer.start()

    def _edited(self, section: str, form: SettingsForm) -> None:
        if self._loading:
            return
        try:
            values = form.settings().to_dict(only_changed=True)
        except (SettingsError, LayerLabError) as error:
            self.message.setText(str(error))
            return
        self.message.clear()
        self.settings_edited.emit(section, values)
        if section == "dataset":
            self._preview_timer.start()

    def _show_relevant_fields(self) -> None:
        source = self.data_form.editors["source"][0].currentText()
        for name, sources in RELEVANT_FIELDS.items():
            self.data_form.set_row_visible(name, source in sources)

    # -- preview -----------------------------------------------------------------------------
    def load_preview(self) -> None:
        try:
            settings = self.data_form.settings().with_changes(subset=64, test_subset=16, augment={})
        except (SettingsError, LayerLabError) as error:
            self.message.setText(str(error))
            return
        self.preview.show_message("Loading…")
        run_in_background(lambda: load_dataset(settings), self._show_preview,
                          lambda message: self.preview.show_message(f"Cannot load the data: {message}"), self)

    def _show_preview(self, dataset) -> None:
        x = dataset.train.x
        labels = dataset.train.y
        summary = (f"{dataset.settings.source}: samples of shape {list(dataset.sample_shape)}"
                   f"{f', {dataset.num_classes} classes' if dataset.num_classes else ''}")
        if x is not None and x.ndim == 4:
            shown = x[:16].numpy()
            names = dataset.class_names or []
            tags = [names[int(v)] if names and labels is not None and labels.ndim == 1 else
                    str(int(v)) for v in (labels[:16] if labels is not None and labels.ndim == 1 else [])]
            images = shown[:, 0] if shown.shape[1] != 3 else np.transpose(shown, (0, 2, 3, 1))
            self.preview.set_data(f"{summary}. First samples, labels: {' '.join(tags)}", images)
            self.preview.refresh()
        else:
            self.preview.show_message(f"{summary}. (Points and tables have no picture; the Boundary tab "
                                      "shows 2-D data while training.)")
        self.preview_loaded.emit(dataset)

    # -- run state ---------------------------------------------------------------------------
    def _pause_or_resume(self) -> None:
        (self.resume_clicked if self.pause_button.text() == "Resume" else self.pause_clicked).emit()

    def set_state(self, state: str) -> None:
        self.state = state
        active = state in ("running", "paused")
        self.train_button.setEnabled(not active)
        self.pause_button.setEnabled(active)
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.step_button.setEnabled(state == "paused")
        self.stop_button.setEnabled(active)
        self.live_lr.setEnabled(active)
        self.forms.setEnabled(not active)
        if active:
            self.forms.setToolTip(LOCK_NOTE)
        if state == "running" and self.status.text() == "Ready.":
            self.status.setText("Starting…")
        if state in ("finished", "stopped"):
            self.status.setText(f"{state.capitalize()}: {self.progress.text()}")
            if state == "finished":
                self.progress_bar.setValue(1000)

    def begin_run(self, lr: float) -> None:
        self.progress = Progress()
        self.message.clear()
        self.live_lr.blockSignals(True)
        self.live_lr.setValue(lr)
        self.live_lr.blockSignals(False)
        self.progress_bar.setValue(0)

    def show_records(self, batch: list) -> None:
        """Take the records in; the text and bar are redrawn by `refresh` at the views' rate."""
        for record in batch:
            self.progress.update(record)
        if self.state not in ("running", "paused"):
            self.refresh()

    def refresh(self) -> None:
        value = 1000 if self.state == "finished" else int(1000 * self.progress.fraction)
        if value != self.progress_bar.value():
            self.progress_bar.setValue(value)
        if self.progress.total_steps:
            done = self.state in ("finished", "stopped")
            text = f"{self.state.capitalize()}: " * done + self.progress.text()
            if text != self.status.text():
                self.status.setText(text)

    def show_failure(self, message: str) -> None:
        self.message.setText(message)
        self.status.setText("The run did not complete.")
