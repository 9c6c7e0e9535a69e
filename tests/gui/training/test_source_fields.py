"""The Data form shows the settings the chosen source reads, as engine.data.catalog declares them
(the panel keeps no list of its own)."""

from __future__ import annotations

import pytest

from engine.data import catalog
from gui.training.panel import TrainingPanel


def shown(form) -> set[str]:
    rows = dict(form.fields)
    rows.update({name: parts[0] for name, parts in form.sections.items()})
    return {name for name, widget in rows.items() if form.layout().isRowVisible(widget)}


@pytest.mark.parametrize("name", list(catalog.SOURCES))
def test_the_data_form_shows_exactly_the_settings_the_source_reads(qtbot, name):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    needed = catalog.SOURCES[name].required
    panel.load_sections({"source": name, **({needed.setting: needed.example} if needed else {})}, {})
    assert shown(panel.data_form) == {"source", *catalog.SOURCES[name].settings()}


def test_no_source_chosen_shows_only_the_source(qtbot):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.load_sections({}, {})
    assert shown(panel.data_form) == {"source"}
