"""The window's block commands: Edit > Group (Ctrl+G), Ungroup (Ctrl+Shift+G), Open Block (Enter,
double-click), Make Unique; Escape and the breadcrumb go back up; the block library panel adds
instances. Kept apart from main_window so the window stays a short list of parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from engine.blocks.library_ops import instances
from gui.document.scope import definition_of, network_at
from gui.editor.block_actions import BlockController, LibraryActions
from gui.editor.block_panel import BlockPanel
from gui.shell.menus import action, add_to

if TYPE_CHECKING:
    from gui.shell.main_window import MainWindow


def attach_blocks(window: MainWindow) -> BlockController:
    """Create the block controller and its actions (`window.act_group`, ...) and wire them."""
    doc, view = window.document, window.view
    blocks = BlockController(doc, window.scene, view, window.show_status, window)
    window.act_group = action(window, "&Group into Block", blocks.group_selected, "Ctrl+G",
                              "Turn the selected layers into one block (Ctrl+G)")
    window.act_ungroup = action(window, "&Ungroup Block", blocks.ungroup_selected, "Ctrl+Shift+G",
                                "Put the selected block's layers back in its place (Ctrl+Shift+G)")
    window.act_open_block = action(window, "&Open Block", blocks.open_selected,
                                   tip="Show the inside of the selected block (Enter, or double-click it)")
    window.act_close_block = action(window, "&Back Out of Block", blocks.close_one,
                                    tip="Back to the network around the block shown (Escape)")
    window.act_make_unique = action(window, "Make Block &Unique", blocks.make_unique_selected,
                                    tip="Give the selected block its own copy of its definition")
    window.block_actions = [window.act_group, window.act_ungroup, window.act_open_block, window.act_close_block,
                            window.act_make_unique]
    add_to(window.edit_menu, None)
    for item in window.block_actions:
        add_to(window.edit_menu, item)
    window.locked_actions += [window.act_group, window.act_ungroup, window.act_make_unique]
    window.scene.open_requested.connect(blocks.open)
    view.open_requested.connect(blocks.open_selected)
    view.back_requested.connect(blocks.close_one)
    view.breadcrumb.level_chosen.connect(blocks.close_to)
    doc.scope_changed.connect(lambda: view.breadcrumb.show_path(doc.breadcrumb, scope_note(window)))
    view.block_dropped.connect(blocks.add_instance)
    add_to(window.view_menu, window.summary.act_expand)
    _add_panel(window, blocks)
    return blocks


def _add_panel(window: MainWindow, blocks: BlockController) -> None:
    """The block library panel, a tab beside the layer palette."""
    library = LibraryActions(blocks)
    panel = window.block_panel = BlockPanel(window.document)
    dock = window.add_dock(panel, "Blocks", Qt.DockWidgetArea.LeftDockWidgetArea)
    window.tabifyDockWidget(window.docks["Layers"], dock)
    window.docks["Layers"].raise_()
    panel.add_requested.connect(lambda name: (window.show_canvas(), blocks.add_instance(name)))
    panel.rename_requested.connect(library.rename)
    panel.delete_requested.connect(library.delete)
    panel.export_requested.connect(library.export)
    panel.import_requested.connect(library.import_file)
    window.block_library = library
    window.document.lock_changed.connect(lambda locked: panel.setEnabled(not locked))  # as the palette


def scope_note(window: MainWindow) -> str:
    """What the open block is: its definition, how many instances share it, how to go back."""
    doc = window.document
    if not doc.scope:
        return ""
    holder = network_at(doc.root, doc.scope[:-1])
    definition = definition_of(holder, doc.scope[-1].block)
    if definition is None:
        return ""
    shared = len(instances(doc.root, definition.name))
    others = (f"; editing it changes all {shared} instances" if shared > 1 else "")
    return f"definition '{definition.name}'{others} · Esc goes back"


def block_context_actions(window: MainWindow, selected: list[str]) -> list[QAction | None]:
    """The block entries of the canvas context menu for this selection."""
    doc = window.document
    is_block = [doc.network.graph.nodes[n]["type"] == "Block" for n in selected]
    found: list[QAction | None] = []
    if len(selected) == 1 and is_block[0]:
        found += [window.act_open_block, window.act_make_unique]
    if any(is_block):
        found.append(window.act_ungroup)
    found.append(window.act_group)
    if doc.scope:
        found.append(window.act_close_block)
    return found
