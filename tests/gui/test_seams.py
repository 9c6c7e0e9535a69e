"""The window's parts built without a window: FileController and TrainingFeature take only what
they use (gui.common.seams, gui.training.host). And the trained weights stay Export's weights
while only cards move."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget
from safetensors.torch import load_file

from engine.export.source import RUN_WEIGHTS
from gui.canvas.scene import CanvasScene
from gui.document.commands import AddNodeCommand, MoveCommand, SetParamCommand
from gui.document.document import Document
from gui.files.controller import FileController
from tests.engine.training.helpers import spiral_project
from tests.gui.conftest import SAMPLES

RUN_SECONDS = 60


class FakeView:
    def __init__(self) -> None:
        self.fits: list[bool] = []

    def fit(self, readable: bool = True) -> None:
        self.fits.append(readable)


class Statuses(list):
    def __call__(self, message: str, msec: int = 5000) -> None:
        self.append(message)


def test_file_controller_without_a_window(tmp_path, isolated) -> None:
    document, view, status, start_pages = Document(), FakeView(), Statuses(), []
    files = FileController(document, view, status, lambda: start_pages.append(True))
    files.autosaver.timer.stop()
    assert files.open_path(SAMPLES / "lenet5.layerlab", ask=False)
    assert document.project.name == "LeNet-5" and view.fits == [True]
    assert status[-1].startswith("Opened LeNet-5")
    document.execute(AddNodeCommand(document.network, "ReLU"))
    isolated.save_path = str(tmp_path / "mine")
    assert files.save_as() and (tmp_path / "mine.layerlab").is_file() and status[-1] == "Saved mine.layerlab."
    broken = tmp_path / "broken.layerlab"
    broken.write_text("{ not json")
    assert not files.open_path(broken, ask=False)
    assert isolated.names()[-1] == "show_error" and document.path == tmp_path / "mine.layerlab"
    assert "broken.layerlab" in status[-1]
    assert files.new_project() and start_pages == [True] and len(document.network) == 0


class StandInHost:
    """What TrainingFeature needs of a window (gui.training.host.TrainingHost), and no more."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.scene = CanvasScene(document)
        self.owner = QWidget()
        self.act_train, self.act_pause, self.act_step, self.act_stop, self.act_gradcheck = (
            QAction(name, self.owner) for name in ("Train", "Pause", "Step", "Stop", "Gradient check"))
        self.statuses = Statuses()
        self.docks: list[str] = []
        self.shown: list[str] = []
        self.progress: list[tuple] = []
        self.layouts = self.welcomes = 0
        self.run_status = self

    def set_device(self, text: str) -> None:
        self.device = text

    def show_progress(self, fraction: float | None, text: str) -> None:
        self.progress.append((fraction, text))

    def show_status(self, message: str, msec: int = 5000) -> None:
        self.statuses(message, msec)

    def add_training_docks(self, panel: QWidget, views: QWidget) -> None:
        self.docks += [type(panel).__name__, type(views).__name__]

    def show_dock(self, title: str) -> None:
        self.shown.append(title)

    def enter_training_layout(self) -> None:
        self.layouts += 1

    def dismiss_welcome(self) -> None:
        self.welcomes += 1


@pytest.fixture
def feature(qtbot, tmp_path, monkeypatch):
    from gui.app import setup_application
    from gui.training.integration import TrainingFeature

    setup_application()
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))
    project = spiral_project(samples=120, epochs=2)
    host = StandInHost(Document(project))
    made = TrainingFeature(host)
    qtbot.addWidget(made.panel)
    qtbot.addWidget(made.views)
    qtbot.addWidget(host.owner)
    yield made
    assert made.shutdown()


def train_to_the_end(qtbot, feature) -> None:
    feature.start()
    qtbot.waitUntil(lambda: feature.controller.state in ("finished", "stopped", "failed"), timeout=RUN_SECONDS * 1000)
    assert feature.controller.state == "finished", feature.host.statuses
    qtbot.waitUntil(lambda: feature.last_run_dir is not None, timeout=5000)


def test_training_feature_with_a_stand_in_host(qtbot, feature) -> None:
    host = feature.host
    assert host.docks == ["TrainingPanel", "TrainingViews"] and host.act_gradcheck.isEnabled()
    assert host.act_train.isEnabled() and not host.act_stop.isEnabled()
    train_to_the_end(qtbot, feature)
    assert "Training" in host.shown and host.welcomes >= 1 and "Training finished." in host.statuses
    assert any(message.startswith("Run saved in ") for message in host.statuses)
    assert feature.run_model is not None and feature.run_model.task == "classification"  # from the records
    assert host.act_train.isEnabled() and not host.act_pause.isEnabled()
    confusion = feature.views.confusion
    qtbot.waitUntil(lambda: confusion.matrix.sum() == len(feature.run_model.dataset.val), timeout=10_000)


def test_moving_a_card_keeps_the_trained_weights_for_export(qtbot, feature, tmp_path) -> None:
    from gui.files.export_dialog import ExportDialog

    train_to_the_end(qtbot, feature)
    document = feature.document
    run_dir = feature.trained_run_dir()
    assert run_dir is not None and (run_dir / RUN_WEIGHTS).is_file()
    hidden = document.network.find("hidden")
    old = document.network.node(hidden).position
    assert document.execute(MoveCommand(document.network, {hidden: (old, (old[0] + 240, old[1] + 90))})) is None
    assert feature.trained_run_dir() == run_dir  # positions change no weights
    dialog = ExportDialog(document.project, feature.trained_run_dir())
    qtbot.addWidget(dialog)
    assert "trained weights" in dialog.source_label.text()
    dialog.path_edit.setText(str(tmp_path / "moved.pt"))
    dialog.run_export()
    qtbot.waitUntil(lambda: dialog.last_result is not None or "Not exported" in dialog.status.text(), timeout=30_000)
    assert dialog.last_result is not None, dialog.status.text()
    trained, exported = load_file(str(run_dir / RUN_WEIGHTS)), torch.load(tmp_path / "moved.pt", weights_only=True)
    assert exported.keys() == trained.keys() and all(torch.equal(exported[k], trained[k]) for k in trained)
    assert document.execute(SetParamCommand(document.network, hidden, "units", 8)) is None
    assert feature.trained_run_dir() is None  # other layers: the run's weights no longer fit
