"""The `layerlab` entry points: --screenshot, and subcommands that never import Qt."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtGui import QImage

from gui.app import run_app
from tests.gui.conftest import ROOT, SAMPLES


def test_screenshot_writes_a_non_empty_image(tmp_path) -> None:
    out = tmp_path / "shot.png"
    assert run_app(["--screenshot", str(out), "--size", "1000x700", str(SAMPLES / "lenet5.layerlab")]) == 0
    image = QImage(str(out))
    assert out.stat().st_size > 10_000 and (image.width(), image.height()) == (1000, 700)
    colours = {image.pixel(x, y) for x in range(0, 1000, 25) for y in range(0, 700, 25)}
    assert len(colours) > 10  # a real window, not a blank page


def test_screenshot_of_a_corrupt_file_reports_it(tmp_path, isolated) -> None:
    bad = tmp_path / "bad.layerlab"
    bad.write_text("not json")
    assert run_app(["--screenshot", str(tmp_path / "x.png"), str(bad)]) == 2
    assert isolated.names() == ["show_error"]
    assert bad.read_text() == "not json"


def test_subcommands_run_headless_without_qt() -> None:
    code = ("import sys; from gui.launcher import main; rc = main(['validate', sys.argv[1]]); "
            "print(rc, any(m.startswith('PySide6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "lenet5.layerlab")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "0 False"
