"""Autoencoders: each probe sample above its reconstruction, and a walk between the codes of two
chosen samples, A and B, showing what the decoder makes of each point on the way. The walk is
decoded on the compute thread whenever the run pauses or ends (frames for every pair of probe
samples), so the slider never waits for the model."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QSlider, QSplitter, QVBoxLayout, QWidget

from gui.plots.base import PlotPanel
from gui.plots.colors import GREY, qimage, to_rgb
from gui.plots.image_canvas import ImageCanvas, Label, Tile
from gui.plots.tiling import cell_size

A_COLOUR, B_COLOUR = QColor(255, 140, 0), QColor(148, 103, 189)
PAIRS_HINT = "Train an autoencoder (a reconstruction task) to compare its inputs with their reconstructions."
MORPH_HINT = "The walk between two samples' codes is decoded when the run pauses or ends."


def as_images(batch: np.ndarray) -> np.ndarray:
    """(N, 1, H, W), (N, H, W), (N, 3, H, W) or (N, D) -> (N, H, W) grey or (N, H, W, 3) colour
    pictures (a D that is no square becomes a 1 x D strip)."""
    batch = np.asarray(batch, np.float32)
    if batch.ndim == 4:
        return batch[:, 0] if batch.shape[1] == 1 else np.transpose(batch, (0, 2, 3, 1))
    if batch.ndim == 2:
        side = int(round(batch.shape[1] ** 0.5))
        return batch.reshape(-1, side, side) if side * side == batch.shape[1] else batch[:, None, :]
    return batch


def shared_rgb(images: np.ndarray, low: float, high: float) -> list[np.ndarray]:
    """Pictures on one grey scale (inputs and reconstructions comparable), colour kept as colour."""
    if images.ndim == 4:
        span = high - low if high > low else 1.0
        return [np.clip((i - low) / span * 255, 0, 255).astype(np.uint8) for i in images]
    return [to_rgb(i, low, high, GREY) for i in images]


class AutoencoderPanel(PlotPanel):
    title = "Reconstruction"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.caption = QLabel(PAIRS_HINT)
        self.caption.setWordWrap(True)
        self.pairs = ImageCanvas(fit="page", max_zoom=6.0)
        self.pairs.tile_clicked.connect(self._clicked)
        self.a_box, self.b_box = QComboBox(), QComboBox()
        self.a_box.setToolTip("Sample A: the walk starts at its code (or click a sample above)")
        self.b_box.setToolTip("Sample B: the walk ends at its code (Shift+click a sample above)")
        for box in (self.a_box, self.b_box):
            box.currentIndexChanged.connect(lambda _: self._pair_changed())
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setEnabled(False)
        self.slider.setToolTip("t: the decoded code is (1 - t) · code(A) + t · code(B)")
        self.slider.valueChanged.connect(lambda _: self._show_morph())
        self.morph_caption = QLabel(MORPH_HINT)
        self.morph_caption.setWordWrap(True)
        self.morph = ImageCanvas(fit="page", max_zoom=8.0)
        self.morph.array = None  # the decoded picture at the slider's t
        controls = QHBoxLayout()
        controls.addWidget(QLabel("<b style='color:#ff8c00'>A</b>"))
        controls.addWidget(self.a_box)
        controls.addWidget(self.slider, 1)
        controls.addWidget(QLabel("<b style='color:#946bbd'>B</b>"))
        controls.addWidget(self.b_box)
        walk = QWidget()
        walk_layout = QVBoxLayout(walk)
        walk_layout.setContentsMargins(0, 0, 0, 0)
        walk_layout.addWidget(self.morph_caption)
        walk_layout.addLayout(controls)
        walk_layout.addWidget(self.morph, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.pairs)
        splitter.addWidget(walk)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])  # 3 : 2 of whatever width the panel gets
        splitter.setChildrenCollapsible(False)
        self.body.addWidget(self.caption)
        self.body.addWidget(splitter, 1)
        self.use_reset_view(self.pairs, self.morph)
        self.inputs = self.outputs = None
        self.frames: dict[tuple[int, int], np.ndarray] = {}
        self.frame_step: int | None = None
        self._dirty = False
        self._set_choices(0)

    # -- data -------------------------------------------------------------------------------
    def clear(self) -> None:
        """Back to the empty state (another project, a new run)."""
        self.inputs = self.outputs = None
        self.frames, self.frame_step, self._dirty = {}, None, False
        self.slider.setEnabled(False)
        self.caption.setText(PAIRS_HINT)
        self.pairs.show_message("")
        self.morph_caption.setText(MORPH_HINT)
        self.morph.show_message("")
        self.morph.array = None
        self._set_choices(0)

    def set_pairs(self, inputs: np.ndarray, outputs: np.ndarray) -> None:
        """Probe inputs and the model's reconstructions of them; drawn at the next refresh."""
        self.inputs, self.outputs = np.asarray(inputs), np.asarray(outputs)
        if self.a_box.count() != len(inputs):
            self._set_choices(len(inputs))
        self._dirty = True

    def set_walks(self, frames: dict[tuple[int, int], np.ndarray], step: int | None = None) -> None:
        """Decoded walks: (a, b) with a < b -> [T, ...] outputs for t = 0 .. 1 from A to B."""
        self.frames, self.frame_step = frames, step
        self.slider.setEnabled(bool(frames))
        self._show_morph()

    def _set_choices(self, count: int) -> None:
        for box, default in ((self.a_box, 0), (self.b_box, 1)):
            box.blockSignals(True)
            box.clear()
            box.addItems([f"sample {i + 1}" for i in range(count)])
            box.setCurrentIndex(min(default, count - 1))
            box.setEnabled(count > 1)
            box.blockSignals(False)

    @property
    def pair(self) -> tuple[int, int]:
        return self.a_box.currentIndex(), self.b_box.currentIndex()

    def _clicked(self, key) -> None:
        shift = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
        (self.b_box if shift else self.a_box).setCurrentIndex(key)

    def _pair_changed(self) -> None:
        self._dirty = True
        self.refresh()
        self._show_morph()

    # -- drawing ----------------------------------------------------------------------------
    def _scale(self) -> tuple[float, float]:
        values = [v for v in (self.inputs, self.outputs) if v is not None]
        finite = np.concatenate([np.asarray(v, np.float32).ravel() for v in values])
        finite = finite[np.isfinite(finite)]
        return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)

    def refresh(self) -> bool:
        if not self._dirty or self.inputs is None:
            return False
        self._dirty = False
        low, high = self._scale()
        top, bottom = as_images(self.inputs), as_images(self.outputs)
        size = cell_size(*top.shape[1:3], target=56.0)
        name_width, gap, label = 124.0, 8.0, 16.0
        tiles, labels = [], []
        a, b = self.pair
        labels.append(Label("input", QRectF(0, label, name_width - 6, size[1]), bold=True))
        labels.append(Label("reconstruction", QRectF(0, label + size[1] + gap, name_width - 6, size[1]), bold=True))
        for index, (x_in, x_out) in enumerate(zip(shared_rgb(top, low, high), shared_rgb(bottom, low, high))):
            left = name_width + index * (size[0] + gap)
            frame = A_COLOUR if index == a else B_COLOUR if index == b else None
            mark = " · A" if index == a else " · B" if index == b else ""
            labels.append(Label(f"{index + 1}{mark}", QRectF(left - 4, 0, size[0] + 8, label),
                                bold=bool(mark), align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                                color=frame))
            tiles.append(Tile(qimage(x_in), QRectF(left, label, *size), index, frame))
            tiles.append(Tile(qimage(x_out), QRectF(left, label + size[1] + gap, *size), index, frame))
        errors = ((self.inputs - self.outputs) ** 2).reshape(len(self.inputs), -1).mean(axis=1)
        self.caption.setText(f"{len(top)} probe samples (top) and what the network rebuilds from them (below), on "
                             f"one grey scale; mean squared error {errors.mean():.4g}. Click a sample to make it A, "
                             "Shift+click for B.")
        self.pairs.set_page(tiles, labels, (name_width + len(top) * (size[0] + gap), label + 2 * size[1] + gap))
        return True

    def _frames_for(self, a: int, b: int) -> np.ndarray | None:
        if a == b:
            return None
        if (a, b) in self.frames:
            return self.frames[(a, b)]
        reverse = self.frames.get((b, a))
        return None if reverse is None else reverse[::-1]

    def _show_morph(self) -> None:
        a, b = self.pair
        frames = self._frames_for(a, b)
        if frames is None or self.inputs is None:
            self.morph.array = None
            self.morph.show_message("")
            self.morph_caption.setText("Choose two different samples as A and B." if self.frames and a == b
                                       else MORPH_HINT)
            return
        t = self.slider.value() / 100
        index = int(round(t * (len(frames) - 1)))
        t = index / (len(frames) - 1)
        decoded = as_images(frames[index:index + 1])
        self.morph.array = decoded[0]
        ends = as_images(self.inputs[[a, b]])
        low, high = self._scale()
        pictures = shared_rgb(np.stack([ends[0], decoded[0], ends[1]]), low, high)
        size = cell_size(*ends.shape[1:3], target=96.0)
        gap, label = 12.0, 16.0
        names = ("A", f"t = {t:.2f}", "B")
        colours = (A_COLOUR, None, B_COLOUR)
        tiles = [Tile(qimage(p), QRectF(i * (size[0] + gap), label, *size), None, colours[i])
                 for i, p in enumerate(pictures)]
        labels = [Label(n, QRectF(i * (size[0] + gap) - gap / 2, 0, size[0] + gap, label), bold=i == 1,
                        align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, color=colours[i])
                  for i, n in enumerate(names)]
        when = f" (weights after step {self.frame_step:,})" if self.frame_step is not None else ""
        self.morph_caption.setText(f"The code of sample {a + 1} (A) blended with that of sample {b + 1} (B): "
                                   f"(1 − t)·A + t·B, decoded{when}. "
                                   "Left and right: the inputs A and B; middle: the decoded blend.")
        self.morph.set_page(tiles, labels, (3 * size[0] + 2 * gap, label + size[1]))

    def csv_table(self):
        if self.inputs is None:
            return ("sample",), ()
        errors = ((self.inputs - self.outputs) ** 2).reshape(len(self.inputs), -1).mean(axis=1)
        return ("sample", "mean_squared_error"), ((i + 1, e) for i, e in enumerate(errors.tolist()))
