"""The run controls of the Training panel: Train / Pause / Step / Stop, the learning rate of the
run in progress, the progress bar, and the run's state and outcome in words: while it goes, epoch,
step and ETA; after, how and why it ended, its best evaluation and the final figures per split."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.training import records as R
from gui.editor.param_editors import ScientificSpinBox
from gui.training.progress import BAR_STEPS, Progress

ENDED = ("finished", "stopped", "failed")
REPORT_LINES = 6  # the report's height never changes, so the forms below never move


class RunBox(QWidget):
    train_clicked = Signal()
    pause_clicked = Signal()
    resume_clicked = Signal()
    step_clicked = Signal()
    stop_clicked = Signal()
    lr_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.train_button = QPushButton("Train")
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
        self.progress_bar.setRange(0, BAR_STEPS)
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.results = QLabel()  # the final figures per split, after a run
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.notes = QLabel()  # what the run says of itself at its start (weights it started from, ...)
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #5b6b82")
        report = QWidget()  # state, final figures and failure in one place of fixed height
        report_layout = QVBoxLayout(report)
        report_layout.setContentsMargins(0, 0, 4, 0)
        for label in (self.status, self.notes, self.results, self.message):
            report_layout.addWidget(label)
        report_layout.addStretch(1)
        self.report = QScrollArea()
        self.report.setWidget(report)
        self.report.setWidgetResizable(True)
        self.report.setFrameShape(QScrollArea.Shape.NoFrame)
        self.report.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.report.setFixedHeight(self.fontMetrics().lineSpacing() * REPORT_LINES + 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(live)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.report)
        self.progress = Progress()
        self.train_button.clicked.connect(self.train_clicked)
        self.pause_button.clicked.connect(self._pause_or_resume)
        self.step_button.clicked.connect(self.step_clicked)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.live_lr.valueChanged.connect(self.lr_changed)
        self.set_state("idle")

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
        if state == "running" and self.status.text() == "Ready.":
            self.status.setText("Starting…")
        if state in ENDED:
            self.refresh()

    def show_planned_lr(self, lr: float) -> None:
        """Between runs, the box shows the learning rate the next run starts with."""
        if self.state not in ("running", "paused"):
            self.live_lr.blockSignals(True)
            self.live_lr.setValue(lr)
            self.live_lr.blockSignals(False)

    def begin_run(self, lr: float) -> None:
        self.progress = Progress()
        self.message.clear()
        self.notes.clear()
        self._show_results("")
        self.status.setText("Starting…")
        self.live_lr.blockSignals(True)
        self.live_lr.setValue(lr)
        self.live_lr.blockSignals(False)
        self.progress_bar.setValue(0)

    def show_records(self, batch: list) -> None:
        """Take the records in; the text and bar are redrawn by `refresh` at the views' rate, and at
        once when the run has ended."""
        for record in batch:
            self.progress.update(record)
            if isinstance(record, R.Started):
                self.notes.setText("\n".join(record.notes))
        if self.state not in ("running", "paused") or self.progress.end is not None:
            self.refresh()

    def refresh(self) -> None:
        progress = self.progress
        value = int(round(BAR_STEPS * progress.fraction))
        if value != self.progress_bar.value():
            self.progress_bar.setValue(value)
        if progress.end is not None:
            text = progress.end_text()
        elif self.state in ENDED:
            text = f"{self.state.capitalize()}."  # the end record is on its way
        elif progress.total_steps:
            text = ("Paused: " if self.state == "paused" else "") + progress.text()
        else:
            return
        if text != self.status.text():
            self.status.setText(text)
        self._show_results(progress.results_text() if progress.end is not None else "")

    def _show_results(self, text: str) -> None:
        if text != self.results.text():
            self.results.setText(text)
        self.results.setVisible(bool(text))

    def reset_run_state(self) -> None:
        """Another project: no trace of the last run's progress or outcome."""
        self.progress = Progress()
        self.progress_bar.setValue(0)
        self.status.setText("Ready.")
        self._show_results("")
        self.message.clear()
        self.notes.clear()

    def show_failure(self, message: str) -> None:
        self.message.setText(message)
        if self.progress.end is None:
            self.status.setText("The run did not complete.")
