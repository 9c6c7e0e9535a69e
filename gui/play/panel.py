"""The Play panel: give the trained network an input (draw it, open an image file, or pick a test
sample, misclassified ones on their own if asked) and see, as the input changes, the likeliest
classes, each layer's activations, and where in the input the answer came from (saliency,
integrated gradients, Grad-CAM; a method that does not apply is disabled with the reason). A
slider replays the run's epoch snapshots. All computing is on the compute thread, one request at a
time (the latest input wins)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.play.inputs import IMAGE_SUFFIXES
from gui.common.compute import run_in_background
from gui.play.activation_strip import ActivationStrip
from gui.play.draw_canvas import DrawCanvas
from gui.play.images import pixmap, with_heat
from gui.play.model_source import Answer, PlayModel
from gui.play.point_picker import PointPicker
from gui.play.reconstruction import ReconstructionView

Submit = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[str], None]], None]
METHODS = {"": "none", "saliency": "saliency", "integrated_gradients": "integrated gradients", "grad_cam": "Grad-CAM"}
SAMPLES = 500  # test samples offered (the first of the test split)
NO_RUN = ("Play uses a trained network's weights: train this network (F5), or open a run from the Runs "
          "panel, then try it here.")


class PlayPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.submit: Submit = lambda fn, done, failed: run_in_background(fn, done, failed, owner=self)
        """How a computation is run: on the compute thread (the window routes it to the training
        thread between steps while a run has the compute thread)."""
        self.source: PlayModel | None = None
        self._deferred: tuple[str | Path, bool] | None = None  # a run to load once the panel is shown
        self.samples: Any = None
        self.wrong: np.ndarray | None = None
        self._busy = False
        self._pending: tuple | None = None
        self.last: Answer | None = None
        self.status = QLabel(NO_RUN)
        self.status.setWordWrap(True)
        self.inputs = QTabWidget()
        self.canvas = DrawCanvas()
        self.canvas.drawn.connect(lambda array: self.request(array, drawn=True))
        self.inputs.addTab(self._draw_tab(), "Draw")
        self.inputs.addTab(self._file_tab(), "Image file")
        self.inputs.addTab(self._sample_tab(), "Test sample")
        self.point = PointPicker()
        self.point.picked.connect(lambda xy: self.request(xy))
        self.inputs.addTab(self.point, "Point")
        self.inputs.setTabVisible(3, False)  # for 2-D inputs only
        self.seen = QLabel()
        self.seen.setFixedSize(168, 168)
        self.method = QComboBox()
        for key, text in METHODS.items():
            self.method.addItem(text, key)
        self.target = QComboBox()
        self.target.addItem("the prediction", None)
        self.method.currentIndexChanged.connect(lambda _: self.again())
        self.target.currentIndexChanged.connect(lambda _: self.again())
        self.heat_note = QLabel()
        self.heat_note.setWordWrap(True)
        self.bars = pg.PlotWidget()
        self.bars.setMouseEnabled(False, False)
        self.bars.setXRange(0, 1)
        self.bars.getAxis("bottom").setLabel("probability")
        self.bars.setMinimumWidth(220)
        self.classes_note = QLabel()
        self.classes_note.setWordWrap(True)
        self.classes_note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.epoch = QSlider(Qt.Orientation.Horizontal)
        self.epoch.valueChanged.connect(self._epoch_changed)
        self.epoch_label = QLabel()
        self.strip = ActivationStrip()
        middle = QVBoxLayout()
        middle.addWidget(QLabel("<b>What the network sees</b>"))
        middle.addWidget(self.seen)
        row = QHBoxLayout()
        row.addWidget(QLabel("Why:"))
        row.addWidget(self.method)
        row.addWidget(QLabel("for"))
        row.addWidget(self.target)
        middle.addLayout(row)
        middle.addWidget(self.heat_note)
        middle.addStretch(1)
        epochs = QHBoxLayout()  # under the picture: the weights it was computed with
        epochs.addWidget(QLabel("Weights:"))
        epochs.addWidget(self.epoch, 1)
        epochs.addWidget(self.epoch_label)
        middle.addLayout(epochs)
        self.right_title = QLabel("<b>Likeliest classes</b>")
        self.rebuilt = ReconstructionView(lambda: self.source, lambda *job: self.submit(*job), self._failed)
        self.right_pages = QStackedWidget()
        self.right_pages.addWidget(self.bars)
        self.right_pages.addWidget(self.rebuilt)
        heading = QHBoxLayout()
        heading.addWidget(self.right_title)
        heading.addWidget(self.classes_note, 1, Qt.AlignmentFlag.AlignRight)
        right = QVBoxLayout()
        right.addLayout(heading)
        right.addWidget(self.right_pages, 1)
        top = QHBoxLayout()
        top.addWidget(self.inputs)
        top.addLayout(middle)
        top.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addLayout(top, 1)
        layout.addWidget(self.strip)
        self.setAcceptDrops(True)
        self._enable(False)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        """The minimum height: the dock's scroll area would otherwise size the panel by its wrapped
        labels' preferred height and scroll a panel that fits; it takes the room it is given."""
        return self.minimumSizeHint().height()

    # -- input tabs ------------------------------------------------------------------------------
    def _draw_tab(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        clear, eraser = QPushButton("Clear"), QPushButton("Eraser")
        eraser.setCheckable(True)
        clear.clicked.connect(self.canvas.clear)
        eraser.toggled.connect(lambda on: setattr(self.canvas, "eraser", on))
        grid.addWidget(self.canvas, 0, 0, 1, 2)
        grid.addWidget(clear, 1, 0)
        grid.addWidget(eraser, 1, 1)
        return page

    def _file_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        button = QPushButton("Open image…")
        button.clicked.connect(self._browse)
        self.file_note = QLabel("PNG, JPEG, GIF, WebP or BMP (or drop one on this panel); converted to the "
                                "Input's shape (what was done is said here).")
        self.file_note.setWordWrap(True)
        column.addWidget(button)
        column.addWidget(self.file_note)
        column.addStretch(1)
        return page

    def _sample_tab(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self.sample_index = QSpinBox()
        self.sample_index.valueChanged.connect(lambda _: self.show_sample())
        self.wrong_only = QCheckBox("Misclassified only")
        self.wrong_only.toggled.connect(lambda _: self._filter_samples())  # shows the first of them
        self.sample_note = QLabel()
        self.sample_note.setWordWrap(True)
        grid.addWidget(QLabel("Sample:"), 0, 0)
        grid.addWidget(self.sample_index, 0, 1)
        grid.addWidget(self.wrong_only, 1, 0, 1, 2)
        grid.addWidget(self.sample_note, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)
        self._sample_ids: list[int] = []
        self._context = ""  # where the samples browsed come from (a confusion-matrix cell), if not all
        return page

    # -- the weights ---------------------------------------------------------------------------------
    def defer(self, run_dir: str | Path, live: bool = False) -> None:
        """Remember a run to load when the panel is next shown (loading costs the run's thread time)."""
        self._deferred = (run_dir, live)
        self.status.setText(f"Run {Path(run_dir).name} loads when this panel is shown.")

    def load_deferred(self) -> None:
        if self._deferred is not None:
            self.set_run(*self._deferred)

    def set_run(self, run_dir: str | Path | None, live: bool = False) -> None:
        """Use a run's weights (None: no run; the panel says how to get one). `live`: a run still
        going, with the weights of its latest epoch (called again after each epoch)."""
        self._deferred = None
        if run_dir is None:
            self.source, self.samples, self.wrong = None, None, None
            self.strip.clear()
            self._enable(False)
            self.status.setText(NO_RUN)
            return
        if not live or self.source is None:
            self.status.setText(f"Loading the weights of {Path(run_dir).name}…")
        self._busy, self._pending = False, None
        self.submit(lambda: _load(run_dir, live), self._loaded, lambda message: self.status.setText(
            f"Cannot use {Path(run_dir).name} yet: {message}"))

    def _loaded(self, loaded: tuple[PlayModel, Any, np.ndarray | None]) -> None:
        previous = self.source
        self.source, self.samples, self.wrong = loaded
        first = previous is None or previous.run_dir != self.source.run_dir  # not a live run's next epoch
        snapshots = [epoch for epoch, _ in self.source.snapshots]
        self.epoch.blockSignals(True)
        self.epoch.setRange(0, len(snapshots))
        self.epoch.setValue(len(snapshots))
        self.epoch.blockSignals(False)
        self._show_epoch(len(snapshots))
        for i in range(self.method.count()):
            reason = self.source.methods.get(self.method.itemData(i))
            self.method.model().item(i).setEnabled(reason is None)
            self.method.model().item(i).setToolTip(reason or "")
        latest = f"after epoch {snapshots[-1]}, " if self.source.live and snapshots else ""
        self.status.setText(f"Using the weights of run {self.source.run_dir.name} ({latest or 'final, '}"
                            f"{'updated each epoch while it trains' if self.source.live else 'as saved'}). Draw, "
                            "open an image or pick a test sample.")
        if first:
            self._fill_targets()
            self._filter_samples(show=self.inputs.currentIndex() == 2)
        two_d = self.samples is not None and self.samples.images.ndim == 2 and self.samples.images.shape[1] == 2
        self.inputs.setTabVisible(0, not two_d)  # drawing is for images
        self.inputs.setTabVisible(1, not two_d)
        self.inputs.setTabVisible(3, two_d)
        if two_d and first:
            self.point.show_samples(self.samples.images, self.samples.labels)
            self.inputs.setCurrentIndex(3)
        self._enable(True)
        self.again()  # the input shown, with these weights

    def _enable(self, on: bool) -> None:
        for widget in (self.inputs, self.method, self.target, self.epoch):
            widget.setEnabled(on)

    def _epoch_changed(self, value: int) -> None:
        if self.source is not None:
            self._show_epoch(value)
            self.again()

    def _show_epoch(self, value: int) -> None:
        """The slider's place: a snapshot's epoch, or the end (the final weights, or a live run's latest)."""
        snapshots = [epoch for epoch, _ in self.source.snapshots]
        epoch = snapshots[value] if value < len(snapshots) else None
        end = f"latest (epoch {snapshots[-1]})" if self.source.live and snapshots else "final"
        self.epoch_label.setText(f"after epoch {epoch}" if epoch is not None else end)
        self._selected_epoch = epoch

    def _fill_targets(self) -> None:
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("the prediction", None)
        names = self.samples.class_names if self.samples is not None else None
        for i, name in enumerate(names or []):
            self.target.addItem(f"class {name}", i)
        self.target.blockSignals(False)

    # -- requests ---------------------------------------------------------------------------------
    def request(self, image: np.ndarray, drawn: bool = False) -> None:
        """Compute the answer for `image` (0..1) on the compute thread; while one is computing, only
        the latest request waits."""
        self._input = (image, drawn)
        if self.source is None:
            return
        job = (image, drawn, self.method.currentData() or None, self.target.currentData(),
               getattr(self, "_selected_epoch", None))
        if self._busy:
            self._pending = job
            return
        self._start(job)

    def again(self) -> None:
        if getattr(self, "_input", None) is not None:
            self.request(*self._input)

    def _start(self, job: tuple) -> None:
        self._busy = True
        source = self.source
        image, drawn, method, target, epoch = job

        def compute() -> Answer:
            source.use_epoch(epoch)
            return source.answer(image, drawn, method, target)

        self.submit(compute, self._answered, self._failed)

    def _answered(self, answer: Answer) -> None:
        self._busy = False
        self.last = answer
        self._show(answer)
        if self._pending is not None:
            job, self._pending = self._pending, None
            self._start(job)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.status.setText(message)
        if self._pending is not None:
            job, self._pending = self._pending, None
            self._start(job)

    # -- showing ------------------------------------------------------------------------------------
    def _show(self, answer: Answer) -> None:
        self.seen.setPixmap(pixmap(with_heat(answer.seen, answer.heat), 168))
        self.heat_note.setText(answer.heat_note)
        prediction, names = answer.prediction, (self.samples.class_names if self.samples else None)
        self.bars.clear()
        if answer.reconstruction is not None:
            self.right_title.setText("<b>Reconstruction</b>")
            self.right_pages.setCurrentIndex(1)
            self.rebuilt.show_answer(answer.reconstruction, answer.code)
            error = float(np.mean((answer.reconstruction - answer.seen) ** 2))
            self.classes_note.setText(f"mean squared error {error:.4f}" + (
                "; move the sliders to walk the code" if answer.code is not None else ""))
        elif prediction.probabilities is None:
            self.right_pages.setCurrentIndex(0)
            self.classes_note.setText(prediction.no_classes_reason or "")
        else:
            self.right_title.setText("<b>Likeliest classes</b>")
            self.right_pages.setCurrentIndex(0)
            top = prediction.top
            labels = [str(names[c]) if names and c < len(names) else str(c) for c, _ in top]
            self.bars.addItem(pg.BarGraphItem(x0=0, y=list(range(len(top))), height=0.7,
                                              width=[p for _, p in top], brush="#4a7fd4"))
            self.bars.getAxis("left").setTicks([list(enumerate(labels))])
            self.bars.setYRange(-0.6, max(len(top) - 0.4, 0.4))
            best = top[0]
            self.classes_note.setText(f"{labels[0]}: {percent(best[1])}")
        self._show_strip(prediction.activations)

    def _show_strip(self, activations: dict[str, np.ndarray]) -> None:
        network = self.source.project.network if self.source else None
        self.strip.show_activations(activations, lambda key: network.name_of(key)
                                    if network is not None and key in network else key)

    # -- files and samples ------------------------------------------------------------------------
    def _browse(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", "", f"Images ({patterns})")
        if path:
            self.open_image(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self.source is not None and _image_path(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        path = _image_path(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.inputs.setCurrentIndex(1)
            self.open_image(path)

    def open_image(self, path: str) -> None:
        """Convert an image file to the Input's shape and show the answer; a file that cannot be used
        is named with the reason and the panel stays as it was."""
        if self.source is None:
            return
        from engine.errors import LayerLabError
        from engine.play.inputs import image_file_to_input, input_shape

        shape = input_shape(self.source.project)
        try:
            image, note = image_file_to_input(path, shape)
        except LayerLabError as error:
            self.file_note.setText(str(error))
            return
        self.file_note.setText(note)
        self.request(image)

    def _filter_samples(self, show: bool = True) -> None:
        if self.samples is None:
            return
        count = len(self.samples.images)
        wrong = self.wrong
        self._context = ""
        self._sample_ids = ([i for i in range(count) if wrong is not None and wrong[i]]
                            if self.wrong_only.isChecked() else list(range(count)))
        self.sample_index.blockSignals(True)
        self.sample_index.setRange(0, max(len(self._sample_ids) - 1, 0))
        self.sample_index.blockSignals(False)
        if show:
            self.show_sample()

    def show_samples_of(self, indices: list[int], words: str) -> int:
        """Browse only these test samples (a confusion-matrix cell's); returns how many are here."""
        if self.samples is None:
            return 0
        self.wrong_only.blockSignals(True)
        self.wrong_only.setChecked(False)
        self.wrong_only.blockSignals(False)
        self._sample_ids = [int(i) for i in indices if 0 <= int(i) < len(self.samples.images)]
        self.sample_index.setRange(0, max(len(self._sample_ids) - 1, 0))
        self.inputs.setCurrentIndex(2)
        self._context = f"{len(self._sample_ids)} samples: {words}"
        self.sample_note.setText(self._context)
        if self._sample_ids:
            self.sample_index.setValue(0)
            self.show_sample()
        return len(self._sample_ids)

    def show_sample(self) -> None:
        if self.samples is None or not self._sample_ids:
            self.sample_note.setText("No test samples." if self.samples is not None else "")
            return
        index = self._sample_ids[min(self.sample_index.value(), len(self._sample_ids) - 1)]
        label = self.samples.labels[index] if self.samples.labels is not None else None
        names = self.samples.class_names
        self.sample_note.setText(f"Test sample {index}" + (f", labelled {names[label] if names else label}"
                                                           if label is not None else "")
                                 + (f" (of {self._context})" if self._context else ""))
        self.request(self.samples.images[index])


def percent(probability: float) -> str:
    """'87.3 %'; never '100.0 %' for a probability below 1 ('> 99.9 %')."""
    return "> 99.9 %" if 0.9995 <= probability < 1 else f"{100 * probability:.1f} %"


def _image_path(mime: QMimeData) -> str | None:
    """The first local file dropped, if it looks like an image."""
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
            return url.toLocalFile()
    return None


def _load(run_dir: str | Path, live: bool = False) -> tuple[PlayModel, Any, np.ndarray | None]:
    """On the compute thread: the run's model, its test samples, and which of them it gets wrong."""
    from engine.play.inputs import test_samples, to_model_input

    source = PlayModel.load_live(run_dir) if live else PlayModel.load(run_dir)
    samples = test_samples(source.project, SAMPLES)
    if samples.labels is None or live:  # a live run's mistakes change every epoch: not worth a pass each time
        return source, samples, None
    player = source.player
    wrong = [bool(prediction.top) and prediction.top[0][0] != int(label)
             for image, label in zip(samples.images, samples.labels, strict=True)
             for prediction in [player.predict(to_model_input(image, source.project))]]
    return source, samples, np.array(wrong)
