"""No cut-off text: dialogs size to their content, the inspector's help wraps in full, the gallery
shows whole descriptions, the summary's totals stay visible and fit; at 100 % and at 150 %."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from gui.common.text_fit import clipped_labels
from tests.gui.conftest import ROOT
from tests.gui.text_fit_check import report


def test_the_check_sees_a_cut_off_label(qtbot) -> None:
    dialog = QDialog()
    label = QLabel("A help text that needs several lines when it wraps in a narrow dialog like this one.")
    label.setWordWrap(True)
    QVBoxLayout(dialog).addWidget(label)
    qtbot.addWidget(dialog)
    dialog.show()
    label.setFixedSize(120, label.fontMetrics().height())
    assert len(clipped_labels(dialog)) == 1
    label.setFixedSize(120, label.heightForWidth(120))
    assert clipped_labels(dialog) == []


def test_nothing_is_cut_off_at_100_percent(qtbot) -> None:
    assert report() == {}


def test_nothing_is_cut_off_at_150_percent() -> None:
    env = {**os.environ, "QT_SCALE_FACTOR": "1.5", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "tests.gui.text_fit_check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["scale"] == 1.5
    assert result["clipped"] == {}
