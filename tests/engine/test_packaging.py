"""Packaging: engine.resources finds every shipped file, and a wheel holds the code and the files
inside layerlab/ (docs/packaging.md). .ci/wheel_check installs and runs the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from engine import resources
from tests.conftest import ROOT

SOURCES = ("setup.py", "pyproject.toml", "README.md", "layerlab", "engine", "gui", "resources", "sample_projects")


def _shipped(folder: str) -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def test_resources_finds_the_mnist_files_and_every_sample():
    assert resources.root() == ROOT
    assert {p.name for p in resources.mnist_dir().glob("*-ubyte.gz")} == {
        f"{part}-{kind}-idx{dim}-ubyte.gz" for part in ("train", "t10k")
        for kind, dim in (("images", 3), ("labels", 1))}
    assert resources.sample_paths() == sorted((ROOT / "sample_projects").glob("*.layerlab"))
    assert resources.sample("lenet5").is_file()


def _setuptools_major() -> int:
    try:
        return int(version("setuptools").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return 0


def test_the_wheel_puts_code_and_resources_inside_layerlab(tmp_path):
    if _setuptools_major() < 77:
        pytest.skip("building without isolation needs setuptools>=77 here (pyproject's build requirement)")
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "-w", str(tmp_path / "dist"), str(source)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("layerlab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {n.split("/")[0] for n in names} == {"layerlab", wheel.name.split("-py")[0] + ".dist-info"}
    expected = [f"layerlab/{path}" for folder in ("resources", "sample_projects", "engine", "gui")
                for path in _shipped(folder)]
    assert [n for n in expected if n not in names] == []
    assert {"layerlab/__init__.py", "layerlab/__main__.py"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "layerlab = layerlab:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_checkout_layout_matches_the_wheel():
    """layerlab/__init__.py adds nothing in a checkout: engine/ and gui/ are beside it, not inside."""
    import layerlab

    assert Path(layerlab.__file__).resolve().parent == ROOT / "layerlab"
    assert not (ROOT / "layerlab" / "engine").exists()


def test_a_leftover_temporary_file_is_not_a_sample(tmp_path, monkeypatch):
    """A save killed between write and rename leaves '.name.XXXX.tmp.layerlab' beside the file;
    the gallery must not list it as a sample."""
    from engine import resources

    (tmp_path / "real.layerlab").write_text("{}")
    (tmp_path / ".real.abcd.tmp.layerlab").write_text("{")
    monkeypatch.setattr(resources, "samples_dir", lambda: tmp_path)
    assert [p.name for p in resources.sample_paths()] == ["real.layerlab"]
