"""Two `layerlab sweep` workers on one study in a real PostgreSQL database: every trial is recorded
exactly once. The test starts a throwaway server (initdb and pg_ctl in a temporary folder) and is
skipped, saying why, where it cannot: no server binaries (install the distribution's postgresql
package), no PostgreSQL driver (psycopg or psycopg2), no Optuna."""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.runs.index import RunIndex
from engine.runs.sweep import open_storage
from tests.conftest import ROOT
from tests.engine.training.helpers import mnist_conv_project

pytestmark = pytest.mark.slow  # two processes training eight tiny models: about a minute on 2 cores


def server_binaries() -> tuple[str, str] | None:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):  # Debian keeps them here
        if os.path.exists(f"{folder}/initdb") and os.path.exists(f"{folder}/pg_ctl"):
            return f"{folder}/initdb", f"{folder}/pg_ctl"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres_url():
    if importlib.util.find_spec("optuna") is None:
        pytest.skip("Optuna is not installed (pip install 'layerlab[sweep]')")
    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is None:
        pytest.skip("no PostgreSQL driver: pip install psycopg2-binary (or 'psycopg[binary]')")
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: install the postgresql package "
                    "(e.g. apt-get install postgresql) to run the two-worker sweep test")
    initdb, pg_ctl = binaries
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="layerlab-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as its own user, or nobody
        user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
        runuser = shutil.which("runuser")
        if user is None or runuser is None:
            pytest.skip("running as root, and no other user (postgres, nobody) or runuser to start PostgreSQL as")
        prefix = [runuser, "-u", user, "--"]
        info = pwd.getpwnam(user)
        os.chown(folder, info.pw_uid, info.pw_gid)
    data, port = folder / "data", free_port()
    try:
        subprocess.run([*prefix, initdb, "-D", str(data), "-U", "layerlab", "-A", "trust", "-N"], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
                        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start a throwaway PostgreSQL: {error}\n{getattr(error, 'stderr', '')}\n{log}")
    try:
        yield f"postgresql://layerlab@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def test_two_workers_share_one_study_and_record_every_trial_once(postgres_url, tmp_path):
    import optuna

    project, space, runs = tmp_path / "p.layerlab", tmp_path / "space.json", tmp_path / "runs"
    mnist_conv_project(subset=256).save(project)
    space.write_text(json.dumps({"training.lr": {"log_uniform": [1e-3, 1e-1]}, "fc.units": {"int": [8, 32]}}))
    command = [sys.executable, "-m", "engine", "sweep", str(project), "--space", str(space), "--trials", "8",
               "--sampler", "random", "--storage", postgres_url, "--study", "shared", "--runs", str(runs), "--json"]
    env = {**os.environ, "LAYERLAB_TENSORBOARD": "0", "OMP_NUM_THREADS": "1"}
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=500) for worker in workers]
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
    ran = [json.loads(out)["trials"] for out, _ in outputs]
    numbers = [t["number"] for trials in ran for t in trials]
    study = optuna.load_study(study_name="shared", storage=open_storage(postgres_url))
    # each worker checks the budget before a trial; at the very end both may start one: 8 or 9
    assert len(study.trials) in (8, 9) and sorted(numbers) == sorted(t.number for t in study.trials)
    assert len(set(numbers)) == len(numbers)  # no trial ran twice
    assert all(ran), [len(trials) for trials in ran]  # both workers took part
    entries = RunIndex(runs).entries(tags={"sweep:shared"})
    assert sorted(e.sweep["trial"] for e in entries) == sorted(numbers)  # one run directory per trial
    assert all(e.status == "complete" for e in entries)
    assert [e.sweep["trial"] for e in entries if "best" in e.tags] == [study.best_trial.number]
