"""Files: save and reopen, unsaved mark and close question, corrupt files, samples, recent files,
autosave and recovery after a crash."""

from __future__ import annotations

import json

from gui.common import settings
from gui.document.commands import AddNodeCommand, SetParamCommand
from tests.gui.conftest import SAMPLES, snapshot

LENET = SAMPLES / "lenet5.layerlab"


def test_save_and_reopen_gives_the_same_project(make_window, tmp_path, isolated) -> None:
    window = make_window(LENET)
    net = window.document.network
    conv = net.find("c1")
    window.document.execute(SetParamCommand(net, conv, "filters", 8))
    assert window.isWindowModified() and window.windowTitle().startswith("lenet5.layerlab[*]")
    isolated.save_path = str(tmp_path / "mine")
    assert window.files.save_as()
    saved = tmp_path / "mine.layerlab"
    assert saved.is_file() and not window.isWindowModified()
    assert window.windowTitle().startswith("mine.layerlab")
    assert not [p.name for p in tmp_path.iterdir() if ".tmp" in p.name]  # atomic: no temporary file left behind
    other = make_window(saved)
    assert snapshot(other.document.network) == snapshot(net)
    assert other.document.project.to_dict() == window.document.project.to_dict()
    assert settings.recent_files()[0] == str(saved.resolve())


def test_save_as_names_an_untitled_project_after_its_file(make_window, tmp_path, isolated) -> None:
    window = make_window()
    assert window.document.project.name == "Untitled"
    window.document.execute(AddNodeCommand(window.document.network, "Input"))
    isolated.save_path = str(tmp_path / "my")
    assert window.files.save_as()
    assert window.document.project.name == "my"
    assert json.loads((tmp_path / "my.layerlab").read_text())["name"] == "my"
    assert window.windowTitle().startswith("my.layerlab")
    named = make_window(LENET)  # a project with a name keeps it under any file name
    isolated.save_path = str(tmp_path / "copy")
    assert named.files.save_as()
    assert json.loads((tmp_path / "copy.layerlab").read_text())["name"] == "LeNet-5"


def test_a_failed_save_keeps_the_untitled_name(make_window, tmp_path, isolated) -> None:
    window = make_window()
    (tmp_path / "a file").write_text("not a folder")
    assert not window.files.save_to(tmp_path / "a file" / "x.layerlab")
    assert isolated.names() == ["show_error"] and window.document.project.name == "Untitled"


def test_a_binary_file_is_refused_plainly(make_window, tmp_path, isolated) -> None:
    window = make_window(LENET)
    archive = tmp_path / "lenet5.layerlab.gz"
    archive.write_bytes(__import__("gzip").compress(LENET.read_bytes()))
    assert not window.files.open_path(archive)
    message = isolated.calls[-1][1][2]
    assert message.endswith("'lenet5.layerlab.gz' is not a LayerLab project (it is not a text file).")
    assert "codec" not in message and window.document.project.name == "LeNet-5"


def test_close_with_unsaved_changes_asks_first(make_window, isolated) -> None:
    window = make_window()
    window.document.execute(AddNodeCommand(window.document.network, "Input"))
    isolated.save_answer = "cancel"
    assert not window.close()
    assert window.isVisible() and isolated.names() == ["ask_save_changes"]
    isolated.save_answer = "discard"
    assert window.close()


def test_corrupt_file_leaves_app_running_and_file_untouched(make_window, tmp_path, isolated) -> None:
    window = make_window(LENET)
    before = snapshot(window.document.network)
    bad = tmp_path / "broken.layerlab"
    content = b'{"format_version": 1, "graph": {"nodes": [{"id": "n1", "type": "Conv9d"'
    bad.write_bytes(content)
    assert not window.files.open_path(bad)
    assert isolated.names() == ["show_error"]
    message = isolated.calls[0][1][2]
    assert "broken.layerlab" in message and "not valid JSON" in message
    assert bad.read_bytes() == content
    assert snapshot(window.document.network) == before and window.isVisible()
    unknown = tmp_path / "unknown.layerlab"
    unknown.write_text(json.dumps({"format_version": 1, "graph": {"nodes": [{"id": "n1", "type": "Conv9d"}],
                                                                   "edges": []}}))
    assert not window.files.open_path(unknown)
    assert "Unknown layer type 'Conv9d'" in isolated.calls[-1][1][2]
    assert str(bad.resolve()) not in settings.recent_files()


def test_first_run_opens_the_mnist_sample_then_the_last_project(make_window, tmp_path) -> None:
    window = make_window()
    assert window.open_startup_project()
    assert window.document.project.name == "MNIST perceptron" or len(window.document.network) == 8
    assert window.document.path is None  # a sample opens as an untitled copy
    copy = tmp_path / "last.layerlab"
    window.files.save_to(copy)
    second = make_window()
    second.open_startup_project()
    assert second.document.path == copy


def test_open_sample_gallery(window, qtbot) -> None:
    gallery = window.files.open_sample_gallery()
    assert gallery.list.count() == len(settings.sample_paths()) >= 5
    texts = [gallery.list.item(i).text() for i in range(gallery.list.count())]
    assert any(t.startswith("LeNet-5\n") and "LeCun" in t for t in texts)
    assert any(t.startswith("Small VGG for MNIST\n") and "vgg_stage" in t for t in texts)  # built from blocks
    gallery.select("lenet5.layerlab")
    gallery.accept()
    assert window.document.project.name == "LeNet-5" and window.document.path is None
    assert len(window.document.network) == 14


def test_autosave_and_recovery_after_a_crash(make_window, isolated) -> None:
    crashed = make_window(LENET)
    net = crashed.document.network
    crashed.document.execute(SetParamCommand(net, net.find("c1"), "filters", 9))
    assert crashed.files.autosaver.save_now()
    recovery = crashed.files.autosaver.path
    assert recovery.is_file() and recovery.parent == settings.data_dir()
    assert crashed.files.autosaver.timer.interval() <= 60_000
    # The app "crashes": the window is never closed. The next start offers the recovered copy.
    restarted = make_window()
    assert restarted.files.offer_recovery()
    assert isolated.names() == ["ask_restore"] and "lenet5.layerlab" in isolated.calls[0][1][1]
    assert snapshot(restarted.document.network) == snapshot(net)
    assert restarted.document.path == LENET and restarted.isWindowModified()
    assert not recovery.exists()
    assert LENET.read_text().count('"filters": 9') == 0  # the original file was never touched


def test_declined_recovery_deletes_the_copy_and_clean_state_removes_it(make_window, isolated) -> None:
    window = make_window(LENET)
    net = window.document.network
    window.document.execute(SetParamCommand(net, net.find("c1"), "filters", 9))
    window.files.autosaver.save_now()
    path = window.files.autosaver.path
    window.document.undo_stack.undo()  # back to the saved state: nothing to recover
    assert not path.exists()
    window.document.undo_stack.redo()
    window.files.autosaver.save_now()
    isolated.restore_answer = False
    other = make_window()
    assert not other.files.offer_recovery() and not path.exists()
