"""The training panel: the run controls (RunBox), then the data and training settings as forms.

The Data tab: buttons to open your own data (a CSV or NPZ file, an image folder), the dataset
form (a Browse… button beside the path), what the data needs of the network (and a button that
binds it), and a preview of the data before training (size, splits, samples per class, pictures,
first rows or points). The Training tab: the training settings, only those the chosen optimizer,
schedule and stopping rule use.

Every value is checked where it is typed: a refused one is explained under its field in the
window's words and the project keeps its value; nothing is clamped."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.data import catalog
from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.errors import LayerLabError
from engine.graph import Network
from engine.shapes import Analysis
from engine.training.settings import TrainingSettings
from gui.training.data_choice import NOTE_STYLE, DataChoice
from gui.training.data_preview import DataPreviewBox
from gui.training.run_box import RunBox
from gui.training.settings_form import SettingsForm
from gui.training.window_words import window_message
from gui.training.wrap_button import WrapButton

TRAINING_RELEVANT = {  # training fields that only some optimizers, schedules or options use
    "momentum": lambda v: v["optimizer"] in ("sgd", "rmsprop"),
    "nesterov": lambda v: v["optimizer"] == "sgd",
    "beta1": lambda v: v["optimizer"] in ("adam", "adamw"),
    "beta2": lambda v: v["optimizer"] in ("adam", "adamw"),
    "eps": lambda v: v["optimizer"] in ("adam", "adamw", "rmsprop", "adagrad"),
    "rms_alpha": lambda v: v["optimizer"] == "rmsprop",
    "lbfgs_max_iter": lambda v: v["optimizer"] == "lbfgs",
    "lbfgs_history": lambda v: v["optimizer"] == "lbfgs",
    "lbfgs_line_search": lambda v: v["optimizer"] == "lbfgs",
    "step_size": lambda v: v["schedule"] == "step",
    "gamma": lambda v: v["schedule"] == "step",
    "power_t": lambda v: v["schedule"] == "invscaling",
    "min_lr": lambda v: v["schedule"] in ("cosine", "plateau", "adaptive"),
    "plateau_factor": lambda v: v["schedule"] in ("plateau", "adaptive"),
    "plateau_patience": lambda v: v["schedule"] in ("plateau", "adaptive"),
    "plateau_threshold": lambda v: v["schedule"] in ("plateau", "adaptive"),
    "patience": lambda v: v["early_stopping"],
    "min_delta": lambda v: v["early_stopping"],
}
WINDOW_SKIPS = ("probe_every",)  # the window probes at its own rate for its live views
LOCK_NOTE = "The network and its settings are locked while a run is in progress; stop it to edit."


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    return area


class TrainingPanel(DataChoice, QWidget):
    """Emits the user's intent; the window connects it to the controller and the document."""

    train_clicked = Signal()
    pause_clicked = Signal()
    resume_clicked = Signal()
    step_clicked = Signal()
    stop_clicked = Signal()
    lr_changed = Signal(float)
    settings_edited = Signal(str, dict)  # section name, values (only those changed from defaults)
    preview_loaded = Signal(object)  # engine.data.preview.DataPreview of the project's data
    # The user chose this data (a source or settings in the Data form, own data, or the bind
    # button): the Input may take its sample shape and the Output its number of classes. Never
    # emitted for data that was only loaded (open, undo, ...).
    dataset_chosen = Signal(object)
    # What the project's data needs of the network (engine.data.fit.DataFacts), None when unknown:
    # the document shows what does not fit as errors on the network's cards.
    data_facts_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_form = SettingsForm(DatasetSettings)
        self.training_form = SettingsForm(TrainingSettings, skip=WINDOW_SKIPS)
        self.preview = DataPreviewBox()
        self.fit_note = QLabel()  # "No dataset chosen: ..." or how the data and the network differ
        self.fit_note.setObjectName("dataFitNote")
        self.fit_note.setWordWrap(True)
        self.fit_note.setStyleSheet(NOTE_STYLE)
        self.fit_note.hide()
        self.bind_button = WrapButton()
        self.bind_button.setToolTip("Give the network what this data needs: the Input its sample shape, the "
                                    "last layer one unit per class (one undoable step).")
        self.bind_button.hide()
        self.bind_button.clicked.connect(self._bind_clicked)

        self.open_file_button = QPushButton("CSV or NPZ file…")
        self.open_file_button.setToolTip("Train on your own table: a CSV file (numeric feature columns and one "
                                         "label column) or a NumPy .npz archive (arrays X and y).")
        self.open_file_button.clicked.connect(self.open_data_file)
        self.open_folder_button = QPushButton("Image folder…")
        self.open_folder_button.setToolTip("Train on your own images: a folder with one sub-folder of images "
                                           "per class.")
        self.open_folder_button.clicked.connect(self.open_image_folder)
        own = QVBoxLayout()
        own.setContentsMargins(0, 0, 0, 4)
        own.setSpacing(2)
        own.addWidget(QLabel("<b>Your own data</b>"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_file_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        own.addLayout(buttons)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setToolTip("Choose the file or folder")
        self.browse_button.clicked.connect(self._browse_path)
        self.data_form.add_button("path", self.browse_button)
        self.start_button = QPushButton("Browse…")
        self.start_button.setToolTip("Choose the weights to start from: a run's weights.safetensors, or a "
                                     ".safetensors / .pt / .pth state dict")
        self.start_button.clicked.connect(self._browse_start)
        self.training_form.add_button("init_from", self.start_button)

        data_page = QWidget()
        data_layout = QVBoxLayout(data_page)
        data_layout.addLayout(own)
        data_layout.addWidget(self.data_form)
        data_layout.addWidget(self.fit_note)
        data_layout.addWidget(self.bind_button)
        data_layout.addWidget(self.preview, 1)
        self.training_note = QLabel()  # a problem with the project's training settings as loaded
        self.training_note.setObjectName("dataFitNote")
        self.training_note.setWordWrap(True)
        self.training_note.setStyleSheet(NOTE_STYLE)
        self.training_note.hide()
        training_page = QWidget()
        training_layout = QVBoxLayout(training_page)
        training_layout.addWidget(self.training_note)
        training_layout.addWidget(self.training_form)
        training_layout.addStretch(1)
        self.forms = QTabWidget()
        self.forms.addTab(_scrolled(data_page), "Data")
        self.forms.addTab(_scrolled(training_page), "Training")
        # Said beside the tabs while a run is in progress, drawn over them: nothing moves or widens.
        self.lock_note = QLabel("Locked during the run", self.forms)
        self.lock_note.setObjectName("lockNote")
        self.lock_note.setStyleSheet("color: #8a5a00;")
        self.lock_note.setToolTip(LOCK_NOTE)
        self.lock_note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.lock_note.hide()
        self.forms.installEventFilter(self)

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
        self._sections: tuple[dict, dict] | None = None  # the project's sections as last loaded
        self._network: Network | None = None
        self._analysis: Analysis | None = None
        self._generation = 0  # counts loads of other data; a preview of an older one is dropped
        self._chosen = False  # the next preview follows the user's choice in the Data form
        self._shown = None  # the DataPreview of the project's data
        self._bound = ""  # what the last binding of chosen data changed, in words
        self._data_problem = ""  # what is wrong with the project's dataset settings as loaded
        source = self.data_form.editors["source"][0]
        source.setPlaceholderText("choose a source")
        self._preview_timer = QTimer(self, singleShot=True, interval=400)
        self._preview_timer.timeout.connect(self.load_preview)
        self.data_form.edited.connect(lambda name: self._edited("dataset", self.data_form, name))
        self.data_form.changed.connect(self._show_relevant_fields)
        self.training_form.edited.connect(lambda name: self._edited("training", self.training_form, name))
        self.training_form.changed.connect(self._show_relevant_fields)
        self.set_state("idle")

    # -- settings ----------------------------------------------------------------------------
    def load_sections(self, dataset: dict, training: dict) -> None:
        """Show a project's settings (without emitting edits). An empty dataset section shows
        that no dataset is chosen yet; nothing here changes the network. A form whose section is
        unchanged is left as it is (a file still to be chosen stays chosen)."""
        old = self._sections
        self._sections = (dict(dataset), dict(training))
        new_data = old is None or old[0] != self._sections[0]
        self._loading = True
        try:
            if new_data:
                self._generation += 1
                self._chosen = False
                self._shown = None
                self._bound = ""
                self.no_dataset = not dataset
                self.data_form.clear_problem()
                self._data_problem = self._load_form(self.data_form, DatasetSettings, dataset)
                self.data_form.editors["path"][0].setPlaceholderText("")
                if self.no_dataset:
                    source = self.data_form.editors["source"][0]
                    source.blockSignals(True)
                    source.setCurrentIndex(-1)  # the placeholder: "choose a source"
                    source.blockSignals(False)
            if old is None or old[1] != self._sections[1]:
                self.training_form.clear_problem()
                problem = self._load_form(self.training_form, TrainingSettings, training)
                self.training_note.setText(problem)
                self.training_note.setVisible(bool(problem))
                self.run_box.show_planned_lr(float(training.get("lr", TrainingSettings().lr)))
        finally:
            self._loading = False
        self._show_relevant_fields()
        if new_data:
            self._update_fit()
            if self.no_dataset:
                self._preview_timer.stop()
                self.preview.show_message("Samples appear here once a source is chosen.")
                self.data_facts_changed.emit(None)
            elif old is None:
                self.load_preview()  # at once: a Train pressed early must not queue it behind the run
            else:
                self._preview_timer.start()  # edits come in bursts: wait for the last one

    def _load_form(self, form: SettingsForm, cls, values: dict) -> str:
        """Fill a form with a section's values; '' or the problem of a section that is not valid."""
        try:
            form.set_settings(cls.from_dict(values))
            return ""
        except SettingsError as error:
            form.set_settings(cls())
            return f"The project's {cls.SECTION} settings have a problem: {window_message(error, cls)} " \
                   "The form shows the defaults until you change a setting."

    def _project_settings(self, section: str):
        cls = DatasetSettings if section == "dataset" else TrainingSettings
        values = self._sections[0 if section == "dataset" else 1] if self._sections else {}
        try:
            return cls.from_dict(values)
        except SettingsError:
            return cls()

    def _browse_start(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Start from weights", self._start_folder(),
                                              "Weights (*.safetensors *.pt *.pth);;All files (*)")
        if path:
            editor = self.training_form.editors["init_from"][0]
            editor.setText(str(Path(path).parent) if Path(path).name == "weights.safetensors" else path)
            self._edited("training", self.training_form, "init_from")

    def _edited(self, section: str, form: SettingsForm, name: str) -> None:
        if self._loading:
            return
        if section == "dataset" and name == "source":
            self._forget_unsuitable_path()
        try:
            settings = form.settings()
        except (SettingsError, LayerLabError) as error:
            if section == "dataset" and isinstance(error, SettingsError) and error.kind == "missing":
                self._ask_for_missing(error)
                return
            self._refuse(section, form, name, error)
            return
        form.clear_problem()
        values = settings.to_dict(only_changed=True)
        if section == "dataset":  # a choice is written down, even of the default source
            values = {"source": settings.source, **values}
        current = self._sections[0 if section == "dataset" else 1] if self._sections else None
        if values == current:
            return
        self.settings_edited.emit(section, values)  # the project reloads the sections (load_sections)
        if section == "dataset":
            self._chosen = True
            self._preview_timer.start()

    def _refuse(self, section: str, form: SettingsForm, name: str, error: Exception) -> None:
        """Say why the value is refused, under its field, and show the project's value again."""
        message = window_message(error, form.cls)
        typed = form.shown_text(name)
        form.set_settings(self._project_settings(section))
        if section == "dataset" and self.no_dataset:
            source = self.data_form.editors["source"][0]
            source.blockSignals(True)
            source.setCurrentIndex(-1)
            source.blockSignals(False)
        self._show_relevant_fields()
        kept = form.shown_text(name)
        detail = f"{typed or 'Empty'} was not applied: it stays {kept or 'empty'}." if typed != kept else \
            "Not applied."
        form.show_problem(name, message, detail)

    def _show_relevant_fields(self) -> None:
        source = self.data_form.editors["source"][0].currentText()
        for name in self.data_form.editors:
            if name != "source":
                self.data_form.set_row_visible(name, catalog.reads(source, name))
        for name in self.data_form.sections:
            self.data_form.set_row_visible(name, catalog.reads(source, name))
        try:
            values = {name: self.training_form.raw_value(name) for name in ("optimizer", "schedule",
                                                                              "early_stopping")}
        except SettingsError:
            return
        for name, relevant in TRAINING_RELEVANT.items():
            self.training_form.set_row_visible(name, relevant(values))

    # -- run state (RunBox) ------------------------------------------------------------------
    def set_state(self, state: str) -> None:
        """A run's state: the settings are locked while it is running or paused (said in the
        corner of the tabs, only then)."""
        self.state = state
        self.run_box.set_state(state)
        active = state in ("running", "paused")
        self.forms.setEnabled(not active)
        self._place_lock_note()
        self.lock_note.setVisible(active)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.forms and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._place_lock_note()
        return super().eventFilter(watched, event)

    def _place_lock_note(self) -> None:
        bar = self.forms.tabBar()
        left = bar.geometry().right() + 8
        width = max(self.forms.width() - left - 6, 0)
        text = self.lock_note.fontMetrics().elidedText("Locked during the run", Qt.TextElideMode.ElideRight, width)
        self.lock_note.setText(text)
        self.lock_note.setGeometry(left, bar.geometry().top(), width, bar.geometry().height())
        self.lock_note.raise_()

    @property
    def progress(self):
        return self.run_box.progress

    @property
    def message(self):
        """The run box's message line (run failures)."""
        return self.run_box.message

    def begin_run(self, lr: float) -> None:
        self.run_box.begin_run(lr)

    def show_records(self, batch: list) -> None:
        self.run_box.show_records(batch)

    def refresh(self) -> None:
        self.run_box.refresh()

    def reset_run_state(self) -> None:
        """Another project: no trace of the last run, and its forms are loaded afresh."""
        self.run_box.reset_run_state()
        self._sections = None

    def show_failure(self, message: str) -> None:
        self.run_box.show_failure(message)
