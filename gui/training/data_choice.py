"""The Data tab's choices, as a part of the training panel (TrainingPanel mixes it in): your own
data (a file or an image folder, Browse…), a source that needs a file asking for one, whether the
chosen data fits the network (a note, and a button that binds it), and the preview loaded in the
background. It uses the panel's widgets (data_form, fit_note, bind_button, preview) and state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from engine.data import catalog
from engine.data.fit import DataIssue, data_name
from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.graph import Network
from engine.shapes import Analysis
from gui.common.compute import run_in_background
from gui.training.binding import plan_binding, shape_words
from gui.training.window_words import window_message, window_words

CLASSIFYING_LOSSES = ("cross_entropy", "mse_onehot", "bce")
NOTE_STYLE = ("QLabel#dataFitNote { background: #fff7e0; border: 1px solid #ecd9a4; border-radius: 4px; "
              "padding: 6px; }")
DONE_STYLE = ("QLabel#dataFitNote { background: #eef7f1; border: 1px solid #b5dcc4; border-radius: 4px; "
              "padding: 6px; }")


def network_needs(network: Network | None, analysis: Analysis | None) -> str | None:
    """'takes 3×224×224 inputs and predicts 1000 classes' (None without exactly one Input)."""
    inputs = network.nodes_with_role("input") if network is not None else []
    if len(inputs) != 1:
        return None
    words = f"takes {shape_words(network.node(inputs[0]).params['shape'])} inputs"
    outputs = network.nodes_with_role("output")
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


class DataChoice:
    """The Data tab's behaviour (see the module docstring); mixed into TrainingPanel."""

    def _forget_unsuitable_path(self) -> None:
        """Another kind of source: a path of the last kind (a CSV file for npz, a file for an image
        folder) means nothing to it, and is cleared so that the form asks for one."""
        source = self.data_form.editors["source"][0].currentText()
        editor = self.data_form.editors["path"][0]
        path = editor.text().strip()
        if not path or not catalog.reads(source, "path"):
            return
        if not catalog.path_suits(source, path, Path(path).is_dir()):
            editor.blockSignals(True)
            editor.setText("")
            editor.blockSignals(False)

    def _ask_for_missing(self, error: SettingsError) -> None:
        """A source that reads a file (or names a class) was chosen without one: ask for it, in
        words; the project keeps its data until then."""
        source = self.data_form.editors["source"][0].currentText()
        path = self.data_form.editors["path"][0]
        needed = catalog.SOURCES[source].required if source in catalog.SOURCES else None
        if error.key == "dataset.path":
            what = needed.what if needed is not None and needed.setting == "path" else "a file"
            ask = f"Choose {what} with Browse… (or type its path)."
            path.setPlaceholderText("Browse… or type a path")
            self._show_relevant_fields()
            self.data_form.show_problem("path", ask, self._keeps(), tone="ask")
        else:
            self._show_relevant_fields()
            self.data_form.show_problem(error.path[0], window_message(error, DatasetSettings), self._keeps(),
                                        tone="ask")

    def _keeps(self) -> str:
        if self.no_dataset or self._shown is None:
            return "Until then the project has no data." if self.no_dataset else ""
        return f"Until then the project keeps {self._shown.name}."

    # -- own data ----------------------------------------------------------------------------
    def _start_folder(self) -> str:
        path = self.data_form.editors["path"][0].text().strip()
        if path:
            folder = Path(path).expanduser()
            return str(folder if folder.is_dir() else folder.parent)
        return str(Path.home())

    def open_data_file(self) -> None:
        """Choose a CSV or NPZ file of your own: it becomes the project's data (and is bound)."""
        kinds = {s.name: s.path for s in catalog.SOURCES.values() if s.path is not None and not s.path.folder}
        patterns = " ".join(f"*{kind.suffix}" for kind in kinds.values())
        filters = ";;".join(kind.filter for kind in kinds.values())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a data file", self._start_folder(),
                                              f"Data files ({patterns});;{filters};;All files (*)")
        if path:
            self.use_data(next((name for name, kind in kinds.items() if path.lower().endswith(kind.suffix)),
                               next(iter(kinds))), path)

    def open_image_folder(self) -> None:
        """Choose a folder with one sub-folder of images per class."""
        path = QFileDialog.getExistingDirectory(self, "Choose an image folder (one sub-folder per class)",
                                                self._start_folder())
        if path:
            self.use_data("image_folder", path)

    def _browse_path(self) -> None:
        source = self.data_form.editors["source"][0].currentText()
        kind = catalog.SOURCES[source].path if source in catalog.SOURCES else None
        if kind is None:
            return
        if kind.folder:
            path = QFileDialog.getExistingDirectory(self, kind.title, self._start_folder())
        else:
            path, _ = QFileDialog.getOpenFileName(self, kind.title, self._start_folder(),
                                                  f"{kind.filter};;All files (*)")
        if path:
            self.use_data(source, path)

    def use_data(self, source: str, path: str) -> None:
        """The user chose this file or folder: one edit of the dataset section, then the preview
        and the binding (as for any choice in the form)."""
        editors = self.data_form.editors
        for editor in (editors["source"][0], editors["path"][0], editors["label_column"][0]):
            editor.blockSignals(True)
        editors["source"][0].setCurrentText(source)
        editors["path"][0].setText(path)
        editors["label_column"][0].setText("")  # a column of the last file means nothing in this one
        for editor in (editors["source"][0], editors["path"][0], editors["label_column"][0]):
            editor.blockSignals(False)
        self._show_relevant_fields()
        self._edited("dataset", self.data_form, "path")

    # -- does the data fit the network? -------------------------------------------------------
    def set_network(self, network: Network, analysis: Analysis) -> None:
        """The network the data is for (after every analysis): the notes follow it."""
        self._network, self._analysis = network, analysis
        self._update_fit()

    def _update_fit(self) -> None:
        needs = network_needs(self._network, self._analysis)
        note, bind, done = "", None, False
        if self._data_problem:
            note = self._data_problem
        elif self.no_dataset:
            fits = [catalog.data_name(s.name, {}) for s in catalog.SOURCES.values()
                    if s.sample_shape is not None and self._input_shape() == s.sample_shape]
            note = (f"<b>No dataset chosen</b>: this network {needs}; choose a source." if needs else
                    "<b>No dataset chosen</b>: choose a source.")
            if len(fits) == 1:
                note += f" {fits[0]} fits its Input."
            elif fits:
                note += f" {', '.join(fits[:-1])} and {fits[-1]} fit its Input."
        elif self._shown is not None and self._network is not None and self._analysis is not None:
            problem = self._fit_problem(self._shown)
            binding = plan_binding(self._network, self._analysis, self._shown) if problem else None
            if problem:
                note = problem
                if binding is not None:
                    bind = binding.text(self._network)
            elif self._bound:
                note, done = f"{self._bound} (Ctrl+Z undoes it).", True
        self.fit_note.setText(note)
        self.fit_note.setStyleSheet(DONE_STYLE if done else NOTE_STYLE)
        self.fit_note.setVisible(bool(note))
        self.bind_button.setText(bind or "")
        self.bind_button.setVisible(bind is not None)

    def _input_shape(self) -> tuple | None:
        inputs = self._network.nodes_with_role("input") if self._network is not None else []
        return tuple(self._network.node(inputs[0]).params["shape"]) if len(inputs) == 1 else None

    def _fit_problem(self, preview) -> str | None:
        """How the data and the network differ, in words (None when the data fits)."""
        network = self._network
        if network is None or len(network.nodes_with_role("input")) != 1:
            return None
        name, shape = preview.name, tuple(preview.sample_shape)
        classes = f" in {preview.num_classes} classes" if preview.num_classes else ""
        if self._input_shape() != shape:
            return (f"{name} has samples of shape {shape_words(shape)}{classes}, but this network "
                    f"{network_needs(network, self._analysis)}: bind the Input to the data, or choose another "
                    "source.")
        issue = next((e for e in self._analysis.errors if isinstance(e, DataIssue)), None)
        return issue.message if issue is not None else None

    def show_bound(self, text: str) -> None:
        """The user's choice of data changed the network: say what, until other data is chosen."""
        self._bound = text
        self._update_fit()

    def ask_for_dataset(self) -> None:
        """Train was asked for with no dataset chosen: say so where the choice is made."""
        self.forms.setCurrentIndex(0)
        self.fit_note.setText("<b>Choose a dataset before training</b>: pick a source above, or use your own data "
                              "(a data file or an image folder). This project has none yet.")
        self.fit_note.setStyleSheet(NOTE_STYLE)
        self.fit_note.show()

    def _bind_clicked(self) -> None:
        if self._shown is not None:
            self.dataset_chosen.emit(self._shown)

    # -- preview -----------------------------------------------------------------------------
    def load_preview(self) -> None:
        """Load the project's data (in the background) for the preview and the checks."""
        if self.no_dataset or self._sections is None:
            return
        from engine.data.preview import preview_dataset  # torch: only once the data is wanted

        try:
            settings = DatasetSettings.from_dict(self._sections[0])
        except SettingsError as error:
            self._preview_failed(window_message(error, DatasetSettings), self._generation)
            return
        self.preview.show_message(f"Loading {data_name(settings)}…")
        generation, chosen = self._generation, self._chosen
        self._chosen = False
        run_in_background(lambda: preview_dataset(settings),
                          lambda preview: self._show_preview(preview, generation, chosen),
                          lambda message: self._preview_failed(message, generation), self)

    def _preview_failed(self, message: str, generation: int) -> None:
        if generation == self._generation:
            self._shown = None
            self.preview.show_message(f"Cannot load the data: {window_words(message)}")
            self.data_facts_changed.emit(None)
            self._update_fit()

    def _show_preview(self, preview, generation: int | None = None, chosen: bool = False) -> None:
        if generation is not None and generation != self._generation:
            return  # other settings (or another project) since this load began
        self._shown = preview
        self.preview.show_preview(preview)
        self.preview_loaded.emit(preview)
        if chosen:
            self.dataset_chosen.emit(preview)
        self.data_facts_changed.emit(preview.facts)
        self._update_fit()
