"""Opening or importing never changes the network: the Input is bound to a dataset only when the
user chooses that dataset in the Training panel's Data form, as one undoable step that says so."""

from __future__ import annotations

import pytest

from engine.importers import import_torchvision
from engine.shapes import infer_shapes
from gui.document.commands import AddNodeCommand, SetParamCommand
from tests.gui.conftest import SAMPLES

RESNET18_PARAMS = 11_689_512
SETTLE_MS = 3000  # longer than the preview's delay plus loading MNIST


@pytest.fixture(scope="module")
def resnet18_file(tmp_path_factory):
    """What `layerlab import torchvision:resnet18 -o X --input-shape 3,224,224` writes."""
    path = tmp_path_factory.mktemp("import") / "resnet18.layerlab"
    project = import_torchvision("resnet18", (3, 224, 224)).project
    project.save(path)
    assert project.dataset == {}  # an import chooses no data
    return path


def settle(qtbot, window) -> None:
    """Let every timer and background load of the window finish (the old bug bound the Input ~1 s
    after opening)."""
    qtbot.wait(SETTLE_MS)
    window.document.refresh_analysis()


def input_shape(window) -> tuple:
    network = window.document.network
    return tuple(network.node(network.nodes_of_type("Input")[0]).params["shape"])


def choose_source(window, name: str) -> None:
    window.training.panel.data_form.editors["source"][0].setCurrentText(name)


def test_opening_an_imported_model_keeps_it_as_it_is(make_window, resnet18_file, qtbot) -> None:
    window = make_window(resnet18_file)
    settle(qtbot, window)
    assert input_shape(window) == (3, 224, 224)
    assert window.document.analysis.total_params == RESNET18_PARAMS
    assert window.document.undo_stack.count() == 0 and not window.document.is_modified
    panel = window.training.panel
    assert panel.no_dataset and panel.data_form.editors["source"][0].currentIndex() == -1
    note = panel.fit_note.text()
    assert not panel.fit_note.isHidden()
    assert "No dataset chosen" in note and "3×224×224 inputs" in note and "1000 classes" in note
    assert "once a source is chosen" in panel.preview.caption.text()  # no MNIST preview pretends otherwise
    window.files.new_project()  # New: nothing chosen, nothing changed either
    settle(qtbot, window)
    assert window.document.undo_stack.count() == 0 and window.training.panel.no_dataset
    assert panel.fit_note.text() == "<b>No dataset chosen</b>: choose a source."
    window.document.execute(AddNodeCommand(window.document.network, "Input"))  # 1×28×28 by default
    window.document.refresh_analysis()
    assert "takes 1×28×28 inputs" in panel.fit_note.text() and "MNIST fits its Input." in panel.fit_note.text()


def test_import_in_the_window_then_choosing_mnist_binds_in_one_visible_step(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")  # an MNIST project is open, as in the report
    settle(qtbot, window)
    result = import_torchvision("resnet18", (3, 224, 224))
    window.document.set_project(result.project)  # what File > Import does once accepted
    settle(qtbot, window)
    document = window.document
    assert input_shape(window) == (3, 224, 224) and document.analysis.total_params == RESNET18_PARAMS
    assert document.undo_stack.count() == 0 and document.project.dataset == {}

    choose_source(window, "mnist")  # the user's choice: now, and only now, the network is bound
    qtbot.waitUntil(lambda: input_shape(window) == (1, 28, 28), timeout=15_000)
    settle(qtbot, window)
    stack = document.undo_stack
    bound = "Bind input to MNIST (1×28×28) and 'fc' to 10 units for its 10 classes"
    assert [stack.text(i) for i in range(stack.count())] == ["Change dataset settings", bound]
    assert document.project.dataset == {"source": "mnist"}
    fc = document.network.find("fc")
    assert document.network.node(fc).params["units"] == 10  # 1000 ImageNet classes became MNIST's 10
    panel = window.training.panel
    assert not panel.no_dataset and not panel.bind_button.isVisible()
    assert panel.fit_note.text() == f"{bound} (Ctrl+Z undoes it)."  # the user sees what changed
    assert not document.analysis.errors
    stack.undo()  # one step undoes the binding, and nothing binds it again
    settle(qtbot, window)
    assert input_shape(window) == (3, 224, 224) and document.analysis.total_params == RESNET18_PARAMS
    assert stack.index() == 1 and document.network.node(fc).params["units"] == 1000
    assert panel.bind_button.isVisible() and panel.bind_button.text() == bound
    stack.undo()  # and the choice of data: back to no dataset
    settle(qtbot, window)
    assert document.project.dataset == {} and panel.no_dataset and stack.index() == 0
    assert input_shape(window) == (3, 224, 224)


def test_the_bind_button_binds_a_chosen_dataset_that_does_not_fit(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    settle(qtbot, window)
    network = window.document.network
    window.document.execute(SetParamCommand(network, network.nodes_of_type("Input")[0], "shape", [1, 32, 32]))
    settle(qtbot, window)
    panel = window.training.panel
    assert input_shape(window) == (1, 32, 32) and window.document.undo_stack.count() == 1
    assert panel.bind_button.isVisible() and "MNIST has samples of shape 1×28×28" in panel.fit_note.text()
    panel.bind_button.click()
    settle(qtbot, window)
    assert input_shape(window) == (1, 28, 28)
    assert window.document.undo_stack.text(1) == "Bind input to MNIST (1×28×28)"
    assert not panel.bind_button.isVisible()
    assert panel.fit_note.text() == "Bind input to MNIST (1×28×28) (Ctrl+Z undoes it)."  # what changed, said


def test_train_without_a_dataset_asks_for_one(make_window, resnet18_file, qtbot) -> None:
    window = make_window(resnet18_file)
    window.training.start()
    assert window.training.controller.state not in ("running", "paused")
    panel = window.training.panel
    assert "Choose a dataset before training" in panel.fit_note.text() and not panel.fit_note.isHidden()
    assert panel.forms.currentIndex() == 0
    assert window.document.undo_stack.count() == 0 and infer_shapes(window.document.network).total_params \
        == RESNET18_PARAMS
