"""The Runs dock (gui.runs): made with the training feature (both import PyTorch), tabbed with the
Summary and Views; it lists each run as it is saved, and opens a run's network and settings as a
project (to continue from it or export its weights)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from engine.errors import LayerLabError
from engine.runs.compare import run_project
from gui.runs.panel import RunsPanel
from gui.runs.sweep_dialog import SweepDialog
from gui.shell.menus import action, add_to
from gui.training.controller import runs_folder

if TYPE_CHECKING:
    from gui.shell.main_window import MainWindow


def attach_runs(window: MainWindow) -> RunsPanel:
    panel = RunsPanel(runs_folder())
    window.add_dock(panel, "Runs", Qt.DockWidgetArea.BottomDockWidgetArea)
    window.tabifyDockWidget(window.docks["Summary"], window.docks["Runs"])
    window.docks["Summary"].raise_()
    dock = window.docks["Runs"]
    window.training.run_saved.connect(lambda _: _refresh_when_seen(window, panel))
    dock.visibilityChanged.connect(lambda visible: panel.refresh() if visible and panel.stale else None)
    panel.open_requested.connect(lambda entry: open_run(window, entry))
    panel.continue_requested.connect(lambda entry: open_run(window, entry, train_on=True))
    window.act_sweep = action(window, "S&weep…", lambda: show_sweep(window, panel),
                              tip="Search settings and layer parameters with Optuna; every trial is a run")
    add_to(window.run_menu, None)
    add_to(window.run_menu, window.act_sweep)
    return panel


def show_sweep(window: MainWindow, panel: RunsPanel) -> SweepDialog:
    """The sweep dialog for the open project (a snapshot is swept; editing goes on meanwhile)."""
    dialog = SweepDialog(window.document.project, runs_folder(), window)
    dialog.trial_done.connect(lambda _: panel.refresh())
    dialog.finished_sweep.connect(lambda *_: panel.refresh())
    dialog.finished_sweep.connect(lambda *_: window.show_dock("Runs"))
    window.show_dock("Runs")
    dialog.show()
    window.sweep_dialog = dialog
    return dialog


def _refresh_when_seen(window: MainWindow, panel: RunsPanel) -> None:
    """List a new run now if the Runs panel is in front, else when it comes forward (reading the
    runs folder at the end of a run would hold the window while the last views draw)."""
    if window.dock_in_front("Runs"):
        panel.refresh()
    else:
        panel.stale = True


def use_run_weights(window: MainWindow, run_dir: Path, project: Any) -> None:
    """File > Export and Play use this run's weights while the network shown (`project`'s) is unchanged."""
    window.training.last_run_dir = run_dir
    window.training.run_architecture = project.network.architecture()
    if getattr(window, "play", None) is not None:
        window.play.set_run(run_dir)


def open_run(window: MainWindow, entry: Any, train_on: bool = False) -> bool:
    """Open the run's project snapshot as an untitled project (its weights stay in the run folder);
    with `train_on`, its training starts from the run's weights (training.init_from)."""
    if not window.files.maybe_save():
        return False
    try:
        project = run_project(entry)
    except (LayerLabError, OSError) as error:
        window.show_status(f"Cannot open run '{entry.id}': {error}", 10000)
        return False
    project.path = None
    if train_on:
        project.training["init_from"] = str(entry.path)
    window.document.set_project(project)
    window.view.fit(readable=True)
    if entry.status == "complete":
        use_run_weights(window, Path(entry.path), project)
    if train_on:
        window.show_status(f"Opened run '{entry.id}' to train on: Train (F5) starts from its weights.", 10000)
    else:
        window.show_status(f"Opened the network and settings of run '{entry.id}' (untitled); File > Export "
                           f"exports its weights from {entry.path}.", 10000)
    return True
