"""engine.atomic, the one atomic writer: files by name (exports) and handles (projects, runs)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.atomic import atomic_write_text, replacing

ROOT = Path(__file__).resolve().parents[2]


def test_replacing_moves_every_temporary_file_onto_its_target(tmp_path):
    main, side = tmp_path / "model.py", tmp_path / "model.weights.pt"
    main.write_text("old")
    with replacing(side, main) as (tmp_side, tmp_main):
        assert tmp_main.parent == tmp_path and tmp_main.suffix == ".py"  # a library may read the suffix
        assert not main.samefile(tmp_main)
        tmp_side.write_text("weights")
        tmp_main.write_text("new")
        assert main.read_text() == "old"  # nothing lands before the block ends
    assert main.read_text() == "new" and side.read_text() == "weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py", "model.weights.pt"]


def test_a_failure_keeps_the_old_files_and_removes_every_temporary_one(tmp_path):
    main = tmp_path / "model[1].onnx"
    main.write_text("old")
    with pytest.raises(RuntimeError, match="^crash$"), replacing(main) as (tmp,):
        tmp.write_text("half")
        (tmp.parent / (tmp.name + ".data")).write_text("external data a library wrote beside it")
        raise RuntimeError("crash")
    assert [p.name for p in tmp_path.iterdir()] == ["model[1].onnx"]
    assert main.read_text() == "old"


def test_a_writer_that_wrote_nothing_leaves_the_target_alone(tmp_path):
    target = tmp_path / "x.bin"
    target.write_text("old")
    with pytest.raises(OSError), replacing(target) as (tmp,):
        tmp.unlink()  # e.g. a library that failed quietly and removed its file
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_a_writer_killed_between_write_and_rename_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "project.layerlab"
    atomic_write_text(target, "old")
    script = textwrap.dedent(f"""
        import os, signal
        import engine.atomic as atomic
        def die(src, dst):
            os.kill(os.getpid(), signal.SIGKILL)  # the new file is written and synced, not yet moved
        atomic.os.replace = die
        atomic.atomic_write_text({str(target)!r}, "new" * 1000)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60, check=False)
    assert done.returncode == -9
    assert target.read_text() == "old"
