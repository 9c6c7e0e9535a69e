"""Blocks in the window: group (Ctrl+G) and ungroup (Ctrl+Shift+G), open a block with the
breadcrumb, edit inside (every instance follows), Escape back, undo of each, exactly."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import SAMPLES


def _graph(network) -> tuple:
    """Everything undo must give back: nodes with all attributes, wires with their order."""
    nodes = sorted((n, a["type"], a["name"], repr(a["params"]), a["position"])
                   for n, a in network.graph.nodes(data=True))
    edges = sorted((e.source, e.target, e.source_port, e.target_port, network.edge_order(e)) for e in network.edges())
    return nodes, edges


def _select(window, *names: str) -> list[str]:
    net = window.document.network
    ids = [net.find(name) for name in names]
    window.scene.select_nodes(ids)
    return ids


def test_group_then_ungroup_and_undo_each_give_back_the_same_graph(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    assert [s.toString() for s in window.act_group.shortcuts()] == ["Ctrl+G"]
    assert [s.toString() for s in window.act_ungroup.shortcuts()] == ["Ctrl+Shift+G"]
    doc = window.document
    before = _graph(doc.network)
    params_before = doc.root_analysis.total_params
    names = [doc.network.name_of(n) for n in doc.network.topological_order()][1:4]
    _select(window, *names)
    window.act_group.trigger()  # Ctrl+G (offscreen windows are never active, so shortcuts do not fire)
    (block,) = window.scene.selected_node_ids()
    assert doc.network.node(block).type == "Block" and len(doc.network) == len(before[0]) - 2
    assert doc.root_analysis.total_params == params_before and not doc.root_analysis.errors
    assert window.scene.nodes[block].info.output_shape is not None
    doc.undo_stack.undo()
    assert _graph(doc.network) == before and len(doc.project.blocks) == 0
    doc.undo_stack.redo()
    window.scene.select_nodes([block])
    window.act_ungroup.trigger()  # Ctrl+Shift+G
    assert _graph(doc.network)[0] == before[0]  # the same layers, ids, names, positions
    assert {e[:4] for e in _graph(doc.network)[1]} == {e[:4] for e in before[1]}
    doc.undo_stack.undo()
    assert doc.network.node(block).type == "Block"


def test_open_a_block_edit_inside_and_come_back(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    doc = window.document
    names = [doc.network.name_of(n) for n in doc.network.topological_order()][1:3]
    _select(window, *names)
    block = window.blocks.group_selected()
    window.scene.select_nodes([block])
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert [s.block for s in doc.scope] == [block]
    assert window.view.breadcrumb.isVisible() and "network" in window.view.breadcrumb.text()
    window.act_fit.trigger()  # F: the whole inside, below the breadcrumb
    window.view.breadcrumb.resize(window.view.breadcrumb.width(), window.view.viewport().height() // 3)
    window.act_fit.trigger()  # (made tall: a small block's cards would be clear of it anyway)
    cards = [window.view.mapFromScene(item.card_rect()).boundingRect() for item in window.scene.nodes.values()]
    assert min(card.top() for card in cards) > window.view.breadcrumb.geometry().bottom()
    inner = doc.network
    assert inner is not doc.root and set(inner.nodes_of_type("BlockInput")) and len(window.scene.nodes) == len(inner)
    conv = next(n for n in inner.node_ids if inner.node(n).type == "Conv2d")
    shape = doc.analysis.nodes[conv].output_shape
    assert shape is not None  # the inside shows this instance's shapes
    params = doc.root_analysis.total_params
    window.inspector.show_node(conv)
    from gui.document.commands import SetParamCommand
    assert doc.execute(SetParamCommand(inner, conv, "filters", 12)) is None
    doc.refresh_analysis()
    assert doc.analysis.nodes[conv].output_shape[0] == 12 and doc.root_analysis.total_params != params
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert doc.scope == [] and doc.network is doc.root and not window.view.breadcrumb.isVisible()
    assert window.scene.selected_node_ids() == [block]
    doc.undo_stack.undo()  # the edit made inside, undone from the top level
    doc.refresh_analysis()
    assert doc.root_analysis.total_params == params


def test_undoing_the_group_while_inside_goes_back_to_the_top(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    doc = window.document
    names = [doc.network.name_of(n) for n in doc.network.topological_order()][1:3]
    _select(window, *names)
    block = window.blocks.group_selected()
    assert window.blocks.open(block)
    doc.undo_stack.undo()
    assert doc.scope == [] and doc.network is doc.root and block not in doc.network
    assert len(window.scene.nodes) == len(doc.root)


def test_a_grouping_that_would_loop_is_refused_with_the_reason(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    doc = window.document
    order = [doc.network.name_of(n) for n in doc.network.topological_order()]
    _select(window, order[1], order[3])  # skips order[2], which sits between them
    count = doc.undo_stack.count()
    assert window.blocks.group_selected() is None
    assert doc.undo_stack.count() == count
    assert window.view.toast.isVisible() and "loop" in window.view.toast.text()


def test_the_library_panel_adds_a_builtin_block_that_fits_and_undo_takes_it_away(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    doc = window.document
    panel = window.block_panel
    names = [panel.tree.topLevelItem(1).child(i).data(0, Qt.ItemDataRole.UserRole + 1)
             for i in range(panel.tree.topLevelItem(1).childCount())]
    assert "resnet_stage" in names and "conv_bn_relu" in names
    count = len(doc.network)
    panel.add_requested.emit("resnet_stage")
    (block,) = window.scene.selected_node_ids()
    assert len(doc.network) == count + 1 and doc.network.node(block).type == "Block"
    assert {"resnet_stage", "resnet_down", "resnet_basic"} <= set(doc.project.blocks.names)
    assert "resnet_stage  (1)" in panel.tree.topLevelItem(0).child(
        doc.project.blocks.names.index("resnet_stage")).text(0)
    window.inspector.show_node(block)
    args = window.inspector.editors["args"]
    args.fields["channels"].setValue(24)  # the instance's argument, one undo step
    assert doc.network.node(block).params["args"] == {"channels": 24}
    doc.undo_stack.undo()
    assert doc.network.node(block).params["args"] == {}
    doc.undo_stack.undo()  # the whole addition: the instance and the definitions it brought
    assert block not in doc.network and len(doc.project.blocks) == 0


def test_rename_and_export_then_import_a_definition(make_window, qtbot, tmp_path, monkeypatch) -> None:
    from gui.common import dialogs

    window = make_window(SAMPLES / "lenet5.layerlab")
    doc = window.document
    names = [doc.network.name_of(n) for n in doc.network.topological_order()][1:3]
    _select(window, *names)
    block = window.blocks.group_selected()
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: "features")
    window.block_library.rename("block")
    assert doc.network.params_view(block)["definition"] == "features" and doc.project.blocks.names == ["features"]
    path = tmp_path / "features.layerlab-block"
    monkeypatch.setattr(dialogs, "ask_block_path", lambda *args: str(path))
    window.block_library.export("features")
    assert path.is_file()
    window.block_library.delete("features")  # in use: refused with the reason
    assert "used by" in window.statusBar().currentMessage() and "features" in doc.project.blocks
    window.blocks.make_unique_selected() if window.scene.select_nodes([block]) is None else None
    assert len(doc.project.blocks) == 2
    doc.undo_stack.undo()
    assert window.block_library.import_file(str(path)) == "features"  # identical: shared, not copied
    assert len(doc.project.blocks) == 1


def test_the_summary_lists_blocks_collapsed_or_with_their_layers(make_window, qtbot) -> None:
    window = make_window(SAMPLES / "lenet5.layerlab")
    doc = window.document
    names = [doc.network.name_of(n) for n in doc.network.topological_order()][1:4]
    _select(window, *names)
    block = window.blocks.group_selected()
    model = window.summary.summary
    doc.refresh_analysis()
    collapsed = [row[1][0] for row in model.rows]
    assert doc.network.name_of(block) in collapsed and not any(name in collapsed for name in names)
    assert model.rows[collapsed.index(doc.network.name_of(block))][1][1] == "▣ block"
    totals = model.totals
    window.summary.act_expand.setChecked(True)
    expanded = [row[1][0].strip() for row in model.rows]
    assert [f"{doc.network.name_of(block)}.{name}" for name in names] == [
        e for e in expanded if e.startswith(f"{doc.network.name_of(block)}.")]
    assert model.totals == totals  # the totals stay the network's: inner rows are not counted twice
    window.summary.act_expand.setChecked(False)
    assert [row[1][0] for row in model.rows] == collapsed


def test_a_block_copied_in_one_window_pastes_into_another_with_its_definitions(make_window, qtbot) -> None:
    source = make_window(SAMPLES / "resnet_mnist.layerlab")
    stage2 = source.document.network.find("stage2")
    source.scene.select_nodes([stage2])
    assert source.edits.copy()
    target = make_window(SAMPLES / "lenet5.layerlab")
    doc = target.document
    pasted = target.edits.paste()
    assert len(pasted) == 1 and doc.network.node(pasted[0]).type == "Block"
    assert {"resnet_stage", "resnet_down", "resnet_basic"} <= set(doc.project.blocks.names)
    error = doc.root_analysis.error_for(pasted[0])  # its definition and ports are known: only unwired
    assert "its 'in' input is not connected" in error and "missing" not in error
    doc.undo_stack.undo()  # the layer and the definitions it brought: one step
    assert pasted[0] not in doc.network and len(doc.project.blocks) == 0
    source.scene.select_nodes([stage2])
    assert source.edits.paste() and len(source.document.project.blocks) == 3  # the same window shares them


def test_a_project_with_a_missing_definition_opens_and_says_which(make_window, isolated, tmp_path) -> None:
    import json

    document = json.loads((SAMPLES / "resnet_mnist.layerlab").read_text())
    document["blocks"] = [d for d in document["blocks"] if d["name"] != "resnet_stage"]
    path = tmp_path / "broken.layerlab"
    path.write_text(json.dumps(document))
    window = make_window(path)
    assert "show_info" in isolated.names()
    message = isolated.calls[-1][1][-1]
    assert "stage2" in message and "resnet_stage" in message and "missing" in message
    stage2 = window.document.network.find("stage2")
    assert "missing" in window.document.root_analysis.error_for(stage2)
    assert window.scene.nodes[stage2].error
