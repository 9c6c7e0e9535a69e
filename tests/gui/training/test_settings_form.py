"""The settings form is generated from the engine's settings dataclasses and round-trips them."""

import pytest

from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from gui.training.settings_form import SettingsForm


def test_form_round_trips_and_reports_bad_values(qtbot):
    form = SettingsForm(DatasetSettings)
    qtbot.addWidget(form)
    original = DatasetSettings.from_dict({"source": "spiral", "samples": 500, "subset": 300,
                                          "augment": {"rotate": 10.0}, "image_size": [32, 32]})
    form.set_settings(original)
    assert form.settings() == original
    with qtbot.waitSignal(form.changed):
        form.editors["subset"][0].setValue(form.editors["subset"][0].minimum())  # "off"
    assert form.settings().subset is None
    form.editors["image_size"][0].setText("32, x")
    with pytest.raises(SettingsError, match="image_size"):
        form.settings()
