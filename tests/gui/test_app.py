"""The `layerlab` entry points: --screenshot, start-up order, no display, and subcommands that never
import Qt."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from gui.app import display_problem, run_app
from tests.gui.conftest import ROOT, SAMPLES

DEADLINE = 120


def _layerlab(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gui.launcher", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=DEADLINE)


def _fresh_env(tmp_path, **extra: str) -> dict[str, str]:
    """This environment without any display, with settings and runs in tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM") and not k.startswith(("LAYERLAB_", "XDG_"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               LAYERLAB_RUNS=str(tmp_path / "runs"), **extra)
    return env


def test_screenshot_writes_a_non_empty_image(tmp_path) -> None:
    out = tmp_path / "shot.png"
    assert run_app(["--screenshot", str(out), "--size", "1000x700", str(SAMPLES / "lenet5.layerlab")]) == 0
    image = QImage(str(out))
    assert out.stat().st_size > 10_000 and (image.width(), image.height()) == (1000, 700)
    colours = {image.pixel(x, y) for x in range(0, 1000, 25) for y in range(0, 700, 25)}
    assert len(colours) > 10  # a real window, not a blank page


def test_screenshot_of_a_corrupt_file_reports_it_on_stderr(tmp_path, isolated, capsys) -> None:
    bad = tmp_path / "bad.layerlab"
    bad.write_text("not json")
    assert run_app(["--screenshot", str(tmp_path / "x.png"), str(bad)]) == 2
    assert isolated.names() == []  # nobody is there to answer a dialog
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.layerlab" in err and "not valid JSON" in err
    assert bad.read_text() == "not json" and not (tmp_path / "x.png").exists()


def test_screenshot_of_a_missing_file_never_waits_for_a_person(tmp_path) -> None:
    result = _layerlab(["--screenshot", str(tmp_path / "out.png"), str(tmp_path / "missing.layerlab")],
                       _fresh_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"layerlab: Cannot open '{tmp_path / 'missing.layerlab'}': the file does not exist."
    assert not (tmp_path / "out.png").exists()


def test_without_a_display_it_says_so_and_lists_the_headless_commands(tmp_path) -> None:
    result = _layerlab([str(SAMPLES / "lenet5.layerlab")], _fresh_env(tmp_path))
    assert result.returncode == 2
    first, second = result.stderr.strip().splitlines()
    assert "needs a desktop session" in first and "QT_QPA_PLATFORM=offscreen" in first
    assert "layerlab --screenshot OUT.png" in first
    assert "layerlab datasets|export|gradcheck|import|runs|summary|sweep|train|validate" in second
    assert "Could not load the Qt platform plugin" not in result.stderr


@pytest.mark.parametrize("env, platform, blocked", [
    ({}, "linux", True),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
    ({"QT_QPA_PLATFORM": ""}, "linux", True),
    ({"DISPLAY": ":0"}, "linux", False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({}, "darwin", False),
    ({}, "win32", False),
])
def test_display_problem(env, platform, blocked) -> None:
    assert (display_problem(env, platform) is not None) == blocked


def test_the_window_paints_before_torch_is_imported(tmp_path) -> None:
    result = _layerlab([str(SAMPLES / "lenet5.layerlab")],
                       _fresh_env(tmp_path, QT_QPA_PLATFORM="offscreen", LAYERLAB_STARTUP_PROBE="1"))
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("startup-probe "))
    assert "torch=0" in line.split()


def test_warm_up_imports_torch_on_the_compute_thread_then_calls_back(qtbot) -> None:
    from gui.common.compute import warm_up

    called = []
    warm_up(lambda: called.append("ready"), lambda message: called.append(message))
    qtbot.waitUntil(lambda: bool(called), timeout=DEADLINE * 1000)
    assert called == ["ready"] and "engine.training.trainer" in sys.modules


def test_subcommands_run_headless_without_qt() -> None:
    code = ("import sys; from gui.launcher import main; rc = main(['validate', sys.argv[1]]); "
            "print(rc, any(m.startswith('PySide6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "lenet5.layerlab")], cwd=ROOT,
                            capture_output=True, text=True, timeout=DEADLINE)
    assert result.stdout.strip().splitlines()[-1] == "0 False"
