"""Node editor speed on a 1,000-layer project.

Goals (issue 4): open + automatic layout in under 1 s; an edit (add, connect, parameter change)
refreshes shapes and the view in under 50 ms. The reference measured in the same run is the
engine alone: `infer_shapes` on the same graph (what every edit must pay at least once).

Blocks (issue 12): the same 1,000 layers organised as 50 instances of one 20-layer block
definition: open + layout in under 1 s, and an edit inside the shared definition (with the block
open on the canvas) refreshes every instance's shapes in under 50 ms. Reference: `infer_shapes`
on the flattened network (the same 1,000 layers without blocks).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_editor.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings

from engine.builder import NetworkBuilder
from engine.project import Project, load_project
from engine.shapes import infer_shapes

LAYERS = 1000
REPEATS = 15


def build_project(path: Path) -> None:
    """An MLP-like trunk with a residual Add every 4 layers: 1,000 layers, ~1,200 wires."""
    b = NetworkBuilder()
    x = b.add("Input", shape=[64])
    count = 1
    while count < LAYERS - 1:
        block_in = x
        x = b.chain(x, ("Dense", {"units": 64}), ("ReLU",), ("Dense", {"units": 64}))
        x = b.add("Add", block_in, x)
        count += 4
    while count < LAYERS - 1:
        x = b.add("ReLU", x)
        count += 1
    b.add("Output", x)
    Project(network=b.network, name="big").save(path)  # no layout yet: the benchmark lays it out


def build_block_project(path: Path, instances: int = 50) -> None:
    """50 instances in series of one definition of 20 layers (5 × Dense-ReLU-Dense-Add)."""
    from engine.blocks.definition import BlockDefinition, BlockLibrary
    from engine.graph import Network

    library = BlockLibrary()
    inner = Network()
    inner.library = library
    x = inner.add_node("BlockInput", name="in")
    for i in range(5):
        start = x
        for type_id, params in (("Dense", {"units": 64}), ("ReLU", {}), ("Dense", {"units": 64})):
            node = inner.add_node(type_id, params, name=f"{type_id.lower()}{i}_{len(inner)}")
            inner.connect(x, node)
            x = node
        add = inner.add_node("Add", name=f"add{i}")
        inner.connect(start, add)
        inner.connect(x, add)
        x = add
    inner.connect(x, inner.add_node("BlockOutput", name="out"))
    library.add(BlockDefinition("chunk", inner))
    b = NetworkBuilder()
    b.network.library = library
    x = b.add("Input", shape=[64])
    for _ in range(instances):
        x = b.add("Block", x, definition="chunk")
    b.add("Output", x)
    Project(network=b.network, name="blocks").save(path)


def open_and_layout(window, path: Path) -> None:
    """Open a project, lay it out, infer shapes, route the wires, fit and paint once."""
    from gui.document.commands import LayoutCommand

    doc, view = window.document, window.view
    window.files.open_path(path, ask=False)
    doc.execute(LayoutCommand(doc.network))
    doc.refresh_analysis()
    window.scene.route_wires()  # what the zero-timeout single-shot does before the first paint
    view.fit()
    view.viewport().repaint()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="layerlab-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from gui.app import setup_application
    from gui.common import dialogs
    from gui.document.commands import AddNodeCommand, ConnectCommand, SetParamCommand
    from gui.shell.main_window import MainWindow

    dialogs.show_error = lambda *a: print("error:", a[-1])
    app = setup_application()
    path = tmp / "big.layerlab"
    build_project(path)
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(1440, 900)
    window.show()
    app.processEvents()

    project = load_project(path)
    copies = [project.network.copy() for _ in range(5)]  # fresh copies: the wiring order is found each time
    reference = statistics.median(timed(lambda c=c: infer_shapes(c)) for c in copies)
    load_ms = timed(lambda: load_project(path))
    doc, view = window.document, window.view

    open_ms = timed(lambda: open_and_layout(window, path))
    net = doc.network
    import PySide6

    print(f"Python {sys.version.split()[0]}, PySide6 {PySide6.__version__}, Qt platform "
          f"{os.environ['QT_QPA_PLATFORM']}")
    print(f"project: {len(net)} layers, {len(net.edges())} wires ({path.stat().st_size / 1024:.0f} KB)")
    print(f"reference  infer_shapes (engine only, median of 5) {reference:8.1f} ms")
    print(f"load_project (parse + build graph)                 {load_ms:8.1f} ms")
    print(f"open + layout + shapes + fit + first paint         {open_ms:8.1f} ms   goal < 1000 ms")

    dense = net.nodes_of_type("Dense")
    middle = dense[len(dense) // 2]
    x, y = net.node(middle).position

    def edit_round(zoomed_in: bool) -> dict[str, list[float]]:
        if zoomed_in:
            view.resetTransform()
            view.centerOn(window.scene.nodes[middle])
        else:
            view.fit()
        times: dict[str, list[float]] = {"add": [], "connect": [], "parameter": []}
        for i in range(REPEATS):
            def refresh() -> None:
                doc.refresh_analysis()  # what the zero-timeout single-shots do on the next turn
                window.scene.route_wires()
                view.viewport().repaint()

            add = AddNodeCommand(net, "Dense", (x + 40, y + 160 + 10 * i))
            times["add"].append(timed(lambda add=add: (doc.execute(add), refresh())))
            times["connect"].append(timed(lambda add=add: (doc.execute(ConnectCommand(net, middle, add.node_id)),
                                                   refresh())))
            times["parameter"].append(timed(lambda i=i: (doc.execute(SetParamCommand(net, middle, "units", 65 + i)),
                                                     refresh())))
        for _ in range(3 * REPEATS):
            doc.undo_stack.undo()
        return times

    for zoomed_in, label in ((True, "at 100% zoom"), (False, "whole graph in view")):
        times = edit_round(zoomed_in)
        for kind, values in times.items():
            median, worst = statistics.median(values), max(values)
            print(f"edit {kind:<9} {label:<20} median {median:6.1f} ms  max {worst:6.1f} ms  "
                  f"({median / reference:4.1f}x infer_shapes)   goal < 50 ms")
    window.document.undo_stack.setClean()
    bench_blocks(window, tmp)
    window.close()


def bench_blocks(window, tmp: Path) -> None:
    """Open + layout of 50 instances × 20 layers, and edits inside the shared definition."""
    from engine.blocks.expand import flatten
    from gui.document.commands import SetParamCommand

    path = tmp / "blocks.layerlab"
    build_block_project(path)
    flat = flatten(load_project(path).network)
    reference = statistics.median(timed(lambda c=c: infer_shapes(c)) for c in [flat.copy() for _ in range(5)])
    doc, view = window.document, window.view

    open_ms = timed(lambda: open_and_layout(window, path))
    analysis = doc.root_analysis
    print(f"blocks: {len(doc.root)} cards at the top level, {len(flat)} layers inside "
          f"({path.stat().st_size / 1024:.0f} KB), {analysis.total_params:,} parameters")
    print(f"reference  infer_shapes of the flattened network    {reference:8.1f} ms")
    print(f"open + layout + shapes + fit + first paint          {open_ms:8.1f} ms   goal < 1000 ms")
    first = doc.root.topological_order()[1]
    doc.open_block(first)
    window.scene.route_wires()
    inner = doc.network
    dense = next(n for n in inner.topological_order() if inner.node(n).type == "Dense")
    times = []
    for i in range(REPEATS):
        def edit(i=i) -> None:
            doc.execute(SetParamCommand(inner, dense, "units", 65 + i))
            doc.refresh_analysis()  # every instance's shapes, as the next event-loop turn does
            window.scene.route_wires()
            view.viewport().repaint()
        times.append(timed(edit))
    changed = doc.root_analysis.total_params - analysis.total_params
    median, worst = statistics.median(times), max(times)
    print(f"edit inside the shared definition (block open)      median {median:6.1f} ms  max {worst:6.1f} ms  "
          f"({median / reference:4.1f}x infer_shapes)   goal < 50 ms; parameters changed by {changed:+,} "
          "(every instance followed)")
    doc.close_to(0)
    doc.undo_stack.setClean()


if __name__ == "__main__":
    main()
