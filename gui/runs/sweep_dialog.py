"""Run > Sweep…: search training and dataset settings and layer parameters with Optuna (grid, random
or TPE), each trial an ordinary recorded run that appears in the Runs panel as it finishes. The
search space is the same JSON as `layerlab sweep --space` takes, prefilled for the open project.
The sweep runs on a thread of its own; Stop ends it after the trial in progress."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.errors import LayerLabError
from engine.project import Project
from engine.runs.space import parse_space
from engine.runs.sweep import SweepOptions, run_sweep
from gui.common.compute import post_to_gui


class _Stop(Exception):
    """Raised after a trial when Stop was pressed: the study ends there."""


def suggested_space(project: Project) -> dict[str, Any]:
    """The learning rate on a log scale, the batch size, and the first Dense layer's units."""
    space: dict[str, Any] = {"training.lr": {"log_uniform": [1e-4, 1e-1]},
                             "training.batch_size": {"choice": [32, 64, 128]}}
    net = project.network
    dense = [n for n in net.topological_order() if net.node(n).type == "Dense"][:-1]  # not the scores
    if dense:
        space[f"{net.name_of(dense[0])}.units"] = {"int": [16, 256]}
    return space


class SweepDialog(QDialog):
    trial_done = Signal(object)  # engine.runs.sweep.TrialResult (on the GUI thread)
    finished_sweep = Signal(object, str)  # SweepResult or None, and a message

    def __init__(self, project: Project, runs_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self.project, self.runs_folder = project, runs_folder
        self.space_edit = QPlainTextEdit(json.dumps(suggested_space(project), indent=2))
        self.trials = QSpinBox()
        self.trials.setRange(1, 10_000)
        self.trials.setValue(8)
        self.sampler = QComboBox()
        self.sampler.addItems(["tpe", "random", "grid"])
        self.prune = QCheckBox("Stop poor trials early (median of the trials so far, per epoch)")
        self.status = QLabel("Each trial trains the project with the values Optuna picks and is kept as a run.")
        self.status.setWordWrap(True)
        self.start_button, self.stop_button = QPushButton("Start"), QPushButton("Stop after this trial")
        self.stop_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        form = QFormLayout()
        form.addRow("Search space (JSON):", self.space_edit)
        form.addRow("Trials:", self.trials)
        form.addRow("Search:", self.sampler)
        form.addRow("", self.prune)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.start_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self.thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.done: list[Any] = []  # the finished trials
        self.result: Any = None
        self.resize(620, 460)

    def start(self) -> bool:
        """Check the space and start the sweep; False (with the reason shown) when it cannot."""
        try:
            raw = json.loads(self.space_edit.toPlainText())
            space = parse_space(raw, self.project)
        except ValueError as error:
            self.status.setText(f"The search space is not JSON: {error}")
            return False
        except LayerLabError as error:
            self.status.setText(str(error))
            return False
        options = SweepOptions(trials=self.trials.value(), sampler=self.sampler.currentText(),
                               prune=self.prune.isChecked(), seed=0)
        self._stop.clear()
        self.done.clear()
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText(f"Sweeping: 0 of {options.trials} trials done…")
        project = self.project.snapshot()
        self.thread = threading.Thread(target=self._run, args=(project, space, options), daemon=True,
                                       name="layerlab-sweep")
        self.thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        self.stop_button.setEnabled(False)
        self.status.setText(self.status.text() + " Stopping after this trial.")

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def _run(self, project: Project, space: Any, options: SweepOptions) -> None:
        def heard(trial: Any) -> None:
            post_to_gui(self._trial, trial)
            if self._stop.is_set():
                raise _Stop

        try:
            result = run_sweep(project, space, options, self.runs_folder, on_trial=heard)
        except _Stop:
            post_to_gui(self._finished, (None, "Stopped after the trial in progress."))
        except LayerLabError as error:
            post_to_gui(self._finished, (None, str(error)))
        except Exception as error:  # a trial's own failure is caught by the sweep; this is the sweep's
            post_to_gui(self._finished, (None, f"The sweep stopped: {error}"))
        else:
            post_to_gui(self._finished, (result, ""))

    def _trial(self, trial: Any) -> None:
        self.done.append(trial)
        value = f"{trial.value:.4f}" if trial.value is not None else trial.state
        self.status.setText(f"Sweeping: {len(self.done)} of {self.trials.value()} trials done; trial "
                            f"{trial.number}: {value}.")
        self.trial_done.emit(trial)

    def _finished(self, outcome: tuple[Any, str]) -> None:
        result, message = outcome
        self.result = result
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if result is not None and result.best is not None:
            message = (f"Done: {len(result.trials)} trials in study '{result.study}'; best {result.metric} "
                       f"{result.best_value:.4f} (trial {result.best_number}, tagged 'best' in the Runs panel).")
        self.status.setText(message or "Done.")
        self.finished_sweep.emit(result, message)
