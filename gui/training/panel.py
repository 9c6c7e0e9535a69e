"""The training panel: data and training settings as forms, a data preview, Train / Pause /
Resume / Step / Stop, progress with samples per second and ETA, and a live learning rate."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QLabel, QPushButton, QScrollArea,
                               QTabWidget, QVBoxLayout, QWidget)

from engine.data.bind import check_output
from engine.data.dataset import load_dataset
from engine.data.idx import DatasetError
from engine.data.schema import SettingsError
from engine.data.settings import SOURCES, DatasetSettings
from engine.errors import LayerLabError
from engine.graph import Network
from engine.shapes import Analysis
from engine.training.settings import TrainingSettings
from gui.compute import run_in_background
from gui.plots.image_grid import ImageGridPanel
from gui.training.run_box import RunBox
from gui.training.settings_form import SettingsForm

SYNTHETIC = ("spiral", "circles", "xor", "blobs", "moons")
RELEVANT_FIELDS = {  # dataset fields that only some sources use
    "samples": SYNTHETIC, "noise": SYNTHETIC, "classes": SYNTHETIC,
    "path": ("csv", "npz", "image_folder", "torchvision"), "name": ("torchvision",), "download": ("torchvision",),
    "label_column": ("csv",), "test_split": SYNTHETIC + ("csv", "npz", "image_folder"), "image_size": ("image_folder", "torchvision"), "grayscale": ("image_folder",),
}
LOCK_NOTE = "The network and its settings are locked while a run is in progress; stop it to edit."
# Sources whose sample shape is known without loading them (to suggest one that fits the Input).
KNOWN_SHAPES = {"mnist": (1, 28, 28), "one_hot_8": (8,), **{name: (2,) for name in SYNTHETIC}}
CLASSIFYING_LOSSES = ("cross_entropy", "mse_onehot", "bce")


def shape_words(shape) -> str:
    return "×".join(str(v) for v in shape)


def data_name(settings: DatasetSettings) -> str:
    """How a person calls the chosen data: MNIST, FashionMNIST, spiral, iris.csv, ..."""
    if settings.source == "mnist":
        return "MNIST"
    if settings.source == "torchvision" and settings.name:
        return settings.name
    if settings.path and settings.source in ("csv", "npz", "image_folder"):
        return settings.path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return settings.source


def network_needs(network: Network | None, analysis: Analysis | None) -> str | None:
    """'takes 3×224×224 inputs and predicts 1000 classes' (None without exactly one Input)."""
    if network is None or len(network.nodes_of_type("Input")) != 1:
        return None
    words = f"takes {shape_words(network.node(network.nodes_of_type('Input')[0]).params['shape'])} inputs"
    outputs = network.nodes_of_type("Output")
    info = analysis.nodes.get(outputs[0]) if analysis is not None and len(outputs) == 1 else None
    shape = info.output_shape if info is not None else None
    if shape is not None:
        loss = network.node(outputs[0]).params.get("loss")
        if loss in CLASSIFYING_LOSSES and len(shape) == 1:
            classes = 2 if loss == "bce" and shape == (1,) else shape[0]
            words += f" and predicts {classes} classes"
        else:
            words += f" and outputs {shape_words(shape)} values"
    return words


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
    preview_loaded = Signal(object)  # engine Dataset of the preview
    # The user chose this data (a source or settings in the Data form, or the bind button): the
    # Input may take its sample shape. Never emitted for data that was only loaded (open, undo, ...).
    dataset_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_form = SettingsForm(DatasetSettings)
        self.training_form = SettingsForm(TrainingSettings)
        self.preview = ImageGridPanel()
        self.preview.title_label.setText("<b>Preview</b>")
        self.preview.save_csv_button.hide()
        self.preview.show_message("Samples of the chosen data appear here.")
        self.fit_note = QLabel()  # "No dataset chosen: ..." or how the data and the network differ
        self.fit_note.setObjectName("dataFitNote")
        self.fit_note.setWordWrap(True)
        self.fit_note.setStyleSheet("QLabel#dataFitNote { background: #fff7e0; border: 1px solid #ecd9a4; "
                                    "border-radius: 4px; padding: 6px; }")
        self.fit_note.hide()
        self.bind_button = QPushButton()
        self.bind_button.setToolTip("Give the Input layer the shape of this data's samples (one undoable step).")
        self.bind_button.hide()
        self.bind_button.clicked.connect(self._bind_clicked)
        data_page = QWidget()
        data_layout = QVBoxLayout(data_page)
        data_layout.addWidget(self.fit_note)
        data_layout.addWidget(self.bind_button)
        data_layout.addWidget(self.data_form)
        data_layout.addWidget(self.preview, 1)
        self.forms = QTabWidget()
        self.forms.addTab(_scrolled(data_page), "Data")
        self.forms.addTab(_scrolled(self.training_form), "Training")

        self.run_box = RunBox()
        self.run_box.train_clicked.connect(self.train_clicked)
        self.run_box.pause_clicked.connect(self.pause_clicked)
        self.run_box.resume_clicked.connect(self.resume_clicked)
        self.run_box.step_clicked.connect(self.step_clicked)
        self.run_box.stop_clicked.connect(self.stop_clicked)
        self.run_box.lr_changed.connect(self.lr_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.run_box)
        layout.addWidget(self.forms, 1)

        self._loading = False
        self.no_dataset = False  # the project's dataset section is empty: nothing chosen yet
        self._network: Network | None = None
        self._analysis: Analysis | None = None
        self._generation = 0  # counts section loads and edits; a preview of an older one is dropped
        self._chosen = False  # the next preview follows the user's choice in the Data form
        self._shown = None  # the Dataset whose preview is shown
        source = self.data_form.editors["source"][0]
        source.setPlaceholderText("choose a source")
        self._preview_timer = QTimer(self, singleShot=True, interval=400)
        self._preview_timer.timeout.connect(self.load_preview)
        self.data_form.changed.connect(lambda: self._edited("dataset", self.data_form))
        self.data_form.changed.connect(self._show_relevant_fields)
        self.training_form.changed.connect(lambda: self._edited("training", self.training_form))
        self.set_state("idle")

    # -- settings ----------------------------------------------------------------------------
    def load_sections(self, dataset: dict, training: dict) -> None:
        """Show a project's settings (without emitting edits). An empty dataset section shows
        that no dataset is chosen yet; nothing here changes the network."""
        self._loading = True
        self._generation += 1
        self._chosen = False
        self._shown = None
        self.no_dataset = not dataset
        try:
            self.data_form.set_settings(DatasetSettings.from_dict(dataset))
            if self.no_dataset:
                source = self.data_form.editors["source"][0]
                source.blockSignals(True)
                source.setCurrentIndex(-1)  # the placeholder: "choose a source"
                source.blockSignals(False)
            self.training_form.set_settings(TrainingSettings.from_dict(training))
            self.message.clear()
        except SettingsError as error:
            self.message.setText(f"The project's settings have a problem: {error}")
        finally:
            self._loading = False
        self._show_relevant_fields()
        self._update_fit()
        if self.no_dataset:
            self._preview_timer.stop()
            self.preview.show_message("Samples appear here once a source is chosen.")
        else:
            self._preview_timer.start()

    def _edited(self, section: str, form: SettingsForm) -> None:
        if self._loading:
            return
        try:
            settings = form.settings()
        except (SettingsError, LayerLabError) as error:
            self.message.setText(str(error))
            return
        values = settings.to_dict(only_changed=True)
        if section == "dataset":  # a choice is written down, even of the default source
            values = {"source": settings.source, **values}
        self.message.clear()
        self.settings_edited.emit(section, values)  # the project reloads the sections (load_sections)
        if section == "dataset":
            self._chosen = True
            self._preview_timer.start()

    def _show_relevant_fields(self) -> None:
        source = self.data_form.editors["source"][0].currentText()
        layout = self.data_form.layout()
        for name in self.data_form.editors:
            if name != "source":
                self.data_form.set_row_visible(name, bool(source) and source in RELEVANT_FIELDS.get(name, SOURCES))
        for sub in self.data_form.subforms.values():
            layout.setRowVisible(sub.parentWidget(), bool(source))

    # -- does the data fit the network? -------------------------------------------------------
    def set_network(self, network: Network, analysis: Analysis) -> None:
        """The network the data is for (after every analysis): the notes follow it."""
        self._network, self._analysis = network, analysis
        self._update_fit()

    def _update_fit(self) -> None:
        needs = network_needs(self._network, self._analysis)
        note, bind = "", None
        if self.no_dataset:
            fits = [data_name(DatasetSettings(source=name)) for name, shape in KNOWN_SHAPES.items()
                    if self._input_shape() == shape]
            note = (f"<b>No dataset chosen</b>: this network {needs}; choose a source." if needs else
                    "<b>No dataset chosen</b>: choose a source.")
            if len(fits) == 1:
                note += f" {fits[0]} fits its Input."
            elif fits:
                note += f" {', '.join(fits[:-1])} and {fits[-1]} fit its Input."
        elif self._shown is not None:
            problem = self._fit_problem(self._shown)
            if problem:
                note = problem
                shape = tuple(self._shown.sample_shape)
                if self._input_shape() not in (None, shape):
                    bind = f"Bind input to {data_name(self._shown.settings)} ({shape_words(shape)})"
        self.fit_note.setText(note)
        self.fit_note.setVisible(bool(note))
        self.bind_button.setText(bind or "")
        self.bind_button.setVisible(bind is not None)

    def _input_shape(self) -> tuple | None:
        inputs = self._network.nodes_of_type("Input") if self._network is not None else []
        return tuple(self._network.node(inputs[0]).params["shape"]) if len(inputs) == 1 else None

    def _fit_problem(self, dataset) -> str | None:
        """How the loaded data and the network differ, in words (None when the data fits)."""
        network = self._network
        if network is None or len(network.nodes_of_type("Input")) != 1:
            return None
        name, shape = data_name(dataset.settings), tuple(dataset.sample_shape)
        classes = f" in {dataset.num_classes} classes" if dataset.num_classes else ""
        if self._input_shape() != shape:
            return (f"{name} has samples of shape {shape_words(shape)}{classes}, but this network "
                    f"{network_needs(network, self._analysis)}: bind the Input to the data, or choose another "
                    "source.")
        if len(network.nodes_of_type("Output")) != 1 or self._analysis is None or self._analysis.errors:
            return None
        try:
            check_output(network, self._analysis, dataset.settings.task, dataset.num_classes,
                         dataset.target_shape())
        except DatasetError as error:
            return f"{name} has samples of shape {shape_words(shape)}{classes}. {error}"
        return None

    def ask_for_dataset(self) -> None:
        """Train was asked for with no dataset chosen: say so where the choice is made."""
        self.forms.setCurrentIndex(0)
        self.message.setText("Choose a dataset source in the Data tab first: this project has none yet.")

    def _bind_clicked(self) -> None:
        if self._shown is not None:
            self.dataset_chosen.emit(self._shown)

    # -- preview -----------------------------------------------------------------------------
    def load_preview(self) -> None:
        if self.no_dataset:
            return
        try:
            settings = self.data_form.settings().with_changes(subset=64, test_subset=16, augment={})
        except (SettingsError, LayerLabError) as error:
            self.message.setText(str(error))
            return
        self.preview.show_message("Loading…")
        generation, chosen = self._generation, self._chosen
        self._chosen = False
        run_in_background(lambda: load_dataset(settings),
                          lambda dataset: self._show_preview(dataset, generation, chosen),
                          lambda message: self._preview_failed(message, generation), self)

    def _preview_failed(self, message: str, generation: int) -> None:
        if generation == self._generation:
            self.preview.show_message(f"Cannot load the data: {message}")

    def _show_preview(self, dataset, generation: int | None = None, chosen: bool = False) -> None:
        if generation is not None and generation != self._generation:
            return  # other settings (or another project) since this load began
        self._shown = dataset
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
        if chosen:
            self.dataset_chosen.emit(dataset)
        self._update_fit()

    # -- run state (RunBox) ------------------------------------------------------------------
    def set_state(self, state: str) -> None:
        """A run's state: the settings are locked while it is running or paused."""
        self.state = state
        self.run_box.set_state(state)
        active = state in ("running", "paused")
        self.forms.setEnabled(not active)
        self.forms.setToolTip(LOCK_NOTE if active else "")

    @property
    def progress(self):
        return self.run_box.progress

    @property
    def message(self):
        """Where settings problems are said (for now the run box's message line)."""
        return self.run_box.message

    def begin_run(self, lr: float) -> None:
        self.run_box.begin_run(lr)

    def show_records(self, batch: list) -> None:
        self.run_box.show_records(batch)

    def refresh(self) -> None:
        self.run_box.refresh()

    def reset_run_state(self) -> None:
        self.run_box.reset_run_state()

    def show_failure(self, message: str) -> None:
        self.run_box.show_failure(message)
