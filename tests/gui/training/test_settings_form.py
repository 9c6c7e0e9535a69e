"""The settings forms are generated from the engine's settings dataclasses and round-trip them;
every value can be typed (nothing is clamped), a refused one is explained under its field in the
window's words while the project keeps its value, and values with a meaning of their own say it."""

import pytest

from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.training.settings import TrainingSettings
from gui.training.settings_form import SettingsForm
from gui.training.window_words import window_message, window_words
from tests.gui.conftest import SAMPLES


def test_form_round_trips_and_reports_bad_values(qtbot):
    form = SettingsForm(DatasetSettings)
    qtbot.addWidget(form)
    original = DatasetSettings.from_dict({"source": "spiral", "samples": 500, "subset": 300,
                                          "augment": {"rotate": 10.0}, "image_size": [32, 32]})
    form.set_settings(original)
    assert form.settings() == original
    with qtbot.waitSignal(form.edited) as edited:
        form.editors["subset"][0].setValue(0)  # "0 = off"
    assert edited.args == ["subset"] and form.settings().subset is None
    with qtbot.waitSignal(form.edited) as edited:
        form.subforms["augment"].editors["rotate"][0].setValue(15)
    assert edited.args == ["augment.rotate"] and form.settings().augment.rotate == 15
    form.editors["image_size"][0].setText("32, x")
    with pytest.raises(SettingsError, match="image_size"):
        form.settings()


def test_skipped_fields_keep_their_values(qtbot):
    form = SettingsForm(TrainingSettings, skip=("probe_every",))
    qtbot.addWidget(form)
    form.set_settings(TrainingSettings.from_dict({"probe_every": 7, "lr": 0.5}))
    assert "probe_every" not in form.editors
    assert form.settings().probe_every == 7 and form.settings().lr == 0.5


def test_engine_errors_carry_the_parts_and_each_front_end_phrases_them():
    with pytest.raises(SettingsError) as caught:
        TrainingSettings.from_dict({"lr": -0.1})
    error = caught.value
    assert str(error) == "'training.lr' must be greater than 0; got -0.1; for example training.lr=0.01."  # the CLI
    assert (error.key, error.problem, error.kind, error.value) == ("training.lr", "must be greater than 0", "range",
                                                                   -0.1)
    assert window_message(error, TrainingSettings) == "Learning rate must be greater than 0."
    with pytest.raises(SettingsError) as caught:
        DatasetSettings.from_dict({"augment": {"rotate": 500}})
    assert window_message(caught.value, DatasetSettings) == \
        "Rotate must be between 0 and 180 (degrees either way)."
    with pytest.raises(SettingsError) as caught:
        TrainingSettings.from_dict({"optimizer": "adam", "momentum": 0.9})
    assert window_message(caught.value, TrainingSettings) == \
        "Momentum applies to sgd and rmsprop, not adam: set it to 0 (adam and adamw use beta 1)."
    words = window_words("The images in 'x' have different sizes; set dataset.image_size (for example "
                         "dataset.image_size=[64,64]).")
    assert "dataset." not in words and "“Image size” 64, 64" in words
    assert window_words("Cannot read 'a.csv': the file does not exist (dataset.path).") == \
        "Cannot read 'a.csv': the file does not exist."


def type_into(spin, text: str) -> None:
    """What a person does: select the field's text, type, press Enter."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    spin.lineEdit().setText(text)
    spin.interpretText()  # as Enter does (the form checks a value when typing ends)


@pytest.fixture
def spiral(make_window, qtbot):
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    window.show_dock("Training")
    window.training.panel.forms.setCurrentIndex(1)
    return window


def test_invalid_values_are_refused_in_the_windows_words_and_nothing_is_clamped(spiral, qtbot):
    window = spiral
    panel, document = window.training.panel, window.document
    training = panel.training_form
    before = dict(document.project.training), dict(document.project.dataset)
    lr = training.editors["lr"][0]
    below = training.fields["drop_last"].mapTo(panel, training.fields["drop_last"].rect().topLeft())
    assert lr.minimum() < -1e9 and lr.maximum() > 1e9  # the editor takes any number: the engine judges it

    type_into(lr, "-0.1")
    assert training.problem() == "Learning rate must be greater than 0. -0.1 was not applied: it stays 0.01."
    assert lr.value() == 0.01 and lr.text() == "0.01"  # the project's value, not a clamped 0
    assert "training.lr" not in training.problem() and "got" not in training.problem()

    batch = training.editors["batch_size"][0]
    type_into(batch, "-4")
    assert training.problem().startswith("Batch size cannot be negative (0 = the whole training set, full-batch "
                                         "gradient descent).")
    assert batch.value() == 32
    # the message is drawn over the form: the rows below it have not moved
    assert training.fields["drop_last"].mapTo(panel, training.fields["drop_last"].rect().topLeft()) == below

    panel.forms.setCurrentIndex(0)
    split = panel.data_form.editors["validation_split"][0]
    type_into(split, "1.5")
    assert panel.data_form.problem() == ("Validation split must be between 0 and 1 (a share of the training data). "
                                         "1.5 was not applied: it stays 0.2.")
    assert split.value() == 0.2
    assert (document.project.training, document.project.dataset) == before  # nothing reached the project
    assert document.undo_stack.count() == 0

    type_into(split, "0.3")  # a good value goes in, and the message goes
    assert document.project.dataset["validation_split"] == 0.3 and panel.data_form.problem() == ""


def test_special_values_say_what_they_mean(spiral, qtbot):
    window = spiral
    panel, document = window.training.panel, window.document
    training = panel.training_form
    note = training.notes["batch_size"]
    assert note.isVisible() and note.text().startswith("0 = the whole training set, full-batch gradient descent")
    assert training.notes["max_steps"].text() == "0 = no limit"
    assert panel.data_form.notes["subset"].text() == "0 = off: every training sample"
    type_into(training.editors["batch_size"][0], "0")
    assert document.project.training["batch_size"] == 0 and training.problem() == ""
    assert "2f5f9e" in note.styleSheet()  # the meaning of the value now shown is highlighted
    assert "probe_every" not in training.editors  # the window probes at its own rate: no setting that does nothing
    # only the settings the chosen optimizer uses are shown (adam: betas, no momentum)
    assert not training.fields["beta1"].isHidden() and training.fields["momentum"].isHidden()
    training.editors["optimizer"][0].setCurrentText("sgd")
    assert training.fields["beta1"].isHidden() and not training.fields["momentum"].isHidden()
    assert document.project.training.get("optimizer", "sgd") == "sgd"  # was adam (sgd is the default)


def test_a_combination_that_does_not_work_is_refused_where_it_was_made(spiral, qtbot):
    window = spiral
    training = window.training.panel.training_form
    training.editors["optimizer"][0].setCurrentText("sgd")
    type_into(training.editors["momentum"][0], "0.9")
    assert window.document.project.training["momentum"] == 0.9
    training.editors["optimizer"][0].setCurrentText("adam")
    assert training.problem().startswith("Momentum applies to sgd and rmsprop, not adam: set it to 0")
    assert training.editors["optimizer"][0].currentText() == "sgd"  # the project's choice, still
    assert window.document.project.training.get("optimizer", "sgd") == "sgd"


def test_each_setting_is_its_own_undo_step(spiral, qtbot):
    window = spiral
    training, stack = window.training.panel.training_form, window.document.undo_stack
    type_into(training.editors["lr"][0], "0.02")
    type_into(training.editors["lr"][0], "0.03")  # the same setting again: one step
    type_into(training.editors["batch_size"][0], "16")
    assert stack.count() == 2
    stack.undo()
    project = window.document.project.training
    assert project.get("batch_size", 32) == 32 and project["lr"] == 0.03  # 32 is the default
    assert training.editors["batch_size"][0].value() == 32  # the form follows the undo
    stack.undo()
    assert window.document.project.training["lr"] == 0.01  # back to the sample's own
