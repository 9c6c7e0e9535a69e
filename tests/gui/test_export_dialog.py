"""The export and import dialogs call the engine and show the outcome (offscreen, no blocking)."""

from __future__ import annotations

import torch
from PySide6.QtWidgets import QLabel

from engine.compiler import compile_network
from engine.export.source import RUN_WEIGHTS, save_run_dir
from engine.project import load_project
from gui.files.export_dialog import ExportDialog
from gui.files.import_dialog import ImportDialog

from .conftest import SAMPLES


def test_export_dialog_writes_a_checked_file(qtbot, tmp_path):
    project = load_project(SAMPLES / "mnist_mlp.layerlab")
    run = save_run_dir(project, compile_network(project.network).state_dict(), tmp_path / "run")
    dialog = ExportDialog(project, run)
    qtbot.addWidget(dialog)
    dialog.select_format("exported_program")
    assert dialog.path_edit.text().endswith(".pt2")
    dialog.path_edit.setText(str(tmp_path / "mlp.pt2"))
    dialog.run_export()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=30_000)
    result = dialog.last_result
    assert result.path.is_file() and result.max_abs_diff <= 1e-5
    assert "max abs diff" in dialog.status.text() and "trained weights" in dialog.source_label.text()


def test_export_dialog_shows_refusals(qtbot, tmp_path):
    dialog = ExportDialog(load_project(SAMPLES / "mnist_mlp.layerlab"))
    qtbot.addWidget(dialog)
    dialog.select_format("state_dict")
    (tmp_path / "blocked").write_text("a file, not a folder")
    dialog.path_edit.setText(str(tmp_path / "blocked" / "m.pt"))
    dialog.run_export()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Not exported"), timeout=30_000)
    assert dialog.status.text().startswith("Not exported: Cannot write") and dialog.last_result is None


def test_import_dialog_imports_and_lists_refusals(qtbot):
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    assert not dialog.tabs.isTabEnabled(1)  # no project to load weights into
    dialog.model_box.setCurrentText("resnet18")
    dialog.shape_edit.setText("3,64")
    assert dialog.import_architecture()  # a 2-D shape: refused by the engine, on the compute thread
    qtbot.waitUntil(lambda: not dialog.importing, timeout=60_000)
    assert "Not imported" in dialog.report.toPlainText() and dialog.imported is None
    dialog.shape_edit.setText("3,64,64")
    assert dialog.import_architecture() and dialog.importing and not dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result() == ImportDialog.DialogCode.Accepted, timeout=60_000)
    assert dialog.imported is not None and "11,689,512 parameters" in dialog.report.toPlainText()
    assert "13 cards" in dialog.report.toPlainText()  # ResNet-18 as blocks


def test_import_dialog_loads_weights_into_a_run(qtbot, tmp_path):
    project = load_project(SAMPLES / "lenet5.layerlab")
    state = compile_network(project.network).state_dict()
    torch.save(state, tmp_path / "w.pt")
    dialog = ImportDialog(project)
    qtbot.addWidget(dialog)
    dialog.weights_edit.setText(str(tmp_path / "w.pt"))
    dialog.run_edit.setText(str(tmp_path / "run"))
    report = dialog.load_weights()
    assert report is not None and report.complete
    assert (tmp_path / "run" / RUN_WEIGHTS).is_file()
    assert "Saved run directory" in dialog.report.toPlainText()


def test_import_dialog_imports_a_persons_module_and_says_what_is_missing(qtbot, tmp_path):
    (tmp_path / "tiny.py").write_text(
        "import torch\nfrom torch import nn\n\n\nclass Tiny(nn.Module):\n"
        "    def __init__(self, classes: int = 3) -> None:\n        super().__init__()\n"
        "        self.conv = nn.Conv2d(1, 4, 3, padding=1)\n        self.fc = nn.Linear(4 * 8 * 8, classes)\n\n"
        "    def forward(self, x):\n        return self.fc(torch.flatten(torch.relu(self.conv(x)), 1))\n")
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.source.kind.setCurrentIndex(1)
    assert "runs it" in dialog.source.pages.currentWidget().findChildren(QLabel)[-1].text()
    dialog.shape_edit.setText("1,8,8")
    assert not dialog.import_architecture() and "name the nn.Module class" in dialog.report.toPlainText()
    dialog.source.py_path.setText(str(tmp_path / "tiny.py"))
    dialog.source.class_edit.setText("Tiny")
    dialog.source.args_edit.setText('{"classes": 5}')
    assert dialog.import_architecture()
    qtbot.waitUntil(lambda: dialog.result() == ImportDialog.DialogCode.Accepted, timeout=60_000)
    assert "outputs within" in dialog.report.toPlainText()
    assert dialog.imported.project.network.node(dialog.imported.project.network.find("fc")).params["units"] == 5


def test_an_imported_modules_weights_are_kept_as_a_run(qtbot, tmp_path):
    from engine.run_dir import read_run

    (tmp_path / "tiny2.py").write_text(
        "import torch\nfrom torch import nn\n\n\nclass Tiny(nn.Module):\n"
        "    def __init__(self) -> None:\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 3)\n\n    def forward(self, x):\n        return self.fc(x)\n")
    dialog = ImportDialog(keep_in=tmp_path / "runs")
    qtbot.addWidget(dialog)
    dialog.source.kind.setCurrentIndex(1)
    dialog.shape_edit.setText("4")
    dialog.source.py_path.setText(str(tmp_path / "tiny2.py"))
    dialog.source.class_edit.setText("Tiny")
    assert dialog.import_architecture()
    qtbot.waitUntil(lambda: dialog.result() == ImportDialog.DialogCode.Accepted, timeout=60_000)
    assert dialog.kept is not None and dialog.kept.parent == tmp_path / "runs"
    assert f"kept as the run {dialog.kept.name}" in dialog.report.toPlainText()
    run = read_run(dialog.kept)
    assert run.summary["stopped_reason"] == "imported" and "tiny2.py" in run.summary["origin"]
    theirs = dialog.imported.reference.state_dict()  # the module the import built, with its own weights
    assert all(torch.equal(run.weights()[key], value) for key, value in theirs.items())


def test_the_window_trains_and_plays_from_an_imported_modules_weights(make_window, tmp_path, monkeypatch):
    import time

    from PySide6.QtWidgets import QApplication

    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))
    (tmp_path / "tiny3.py").write_text(
        "from torch import nn\n\n\nclass Tiny(nn.Module):\n    def __init__(self) -> None:\n"
        "        super().__init__()\n        self.fc = nn.Linear(4, 3)\n\n"
        "    def forward(self, x):\n        return self.fc(x)\n")

    def import_tiny(dialog) -> int:  # what a person does in the dialog, then its answer
        dialog.source.kind.setCurrentIndex(1)
        dialog.shape_edit.setText("4")
        dialog.source.py_path.setText(str(tmp_path / "tiny3.py"))
        dialog.source.class_edit.setText("Tiny")
        assert dialog.import_architecture()
        deadline = time.monotonic() + 60
        while dialog.result() != ImportDialog.DialogCode.Accepted and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        return dialog.result()

    monkeypatch.setattr(ImportDialog, "exec", import_tiny)
    window = make_window()
    window.show_import_dialog()
    kept = window.training.trained_run_dir()
    assert kept is not None and kept.parent == tmp_path / "runs"
    assert window.document.project.training["init_from"] == str(kept)
