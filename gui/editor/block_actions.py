"""Block operations on the canvas selection: group (Ctrl+G), ungroup (Ctrl+Shift+G), open a block
(double-click, Enter) and go back up (Escape, the breadcrumb), make an instance unique, and add an
instance of a library definition. Each edit is one undoable command; a refusal says why at the
cursor."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QCursor

from engine.blocks.block_file import BLOCK_EXTENSION, import_block, save_block
from engine.blocks.builtin import add_builtin, builtin_library
from engine.blocks.expand import expand, make_unique
from engine.blocks.group import group
from engine.blocks.library_ops import remove_definition, rename_definition
from engine.errors import LayerLabError
from engine.graph import Network, python_name
from engine.layers.blocks import BLOCK
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.common import dialogs, style
from gui.common.seams import StatusFn
from gui.document.block_commands import ReplaceCommand
from gui.document.commands import AddNodeCommand, LayoutCommand
from gui.document.document import Document
from gui.document.scope import definition_of, network_at


class BlockController(QObject):
    def __init__(self, document: Document, scene: CanvasScene, view: CanvasView, status: StatusFn,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document, self.scene, self.view, self.status = document, scene, view, status

    @property
    def network(self) -> Network:
        return self.document.network

    def _selected_blocks(self) -> list[str]:
        return [n for n in self.scene.selected_node_ids() if self.network.graph.nodes[n]["type"] == BLOCK]

    def _refuse(self, reason: str) -> None:
        """Say why at the cursor (or in the middle of the view when the cursor is elsewhere)."""
        point = self.view.mapFromGlobal(QCursor.pos())
        if not self.view.rect().contains(point):
            point = self.view.rect().center()
        self.scene.message.emit(reason, self.view.mapToScene(point))

    def _replace(self, edit, text: str) -> ReplaceCommand | None:
        command = ReplaceCommand(self.network, self.document.project.blocks, edit, text)
        reason = self.document.execute(command)
        if reason:
            self._refuse(reason)
            return None
        return command

    # -- group and ungroup -------------------------------------------------------------
    def group_selected(self) -> str | None:
        """Turn the selected layers into one block (a new definition); returns the block's id."""
        selected = self.scene.selected_node_ids()
        if not selected:
            self._refuse("Select the layers to group first (drag a box around them, or Ctrl+click).")
            return None
        scope = self.document.scope
        enclosing = (definition_of(network_at_parent(self.document), scope[-1].block) if scope else None)
        defaults = dict(enclosing.args) if enclosing is not None else None
        made: dict[str, str] = {}

        def edit(network: Network) -> Network:
            grouped = group(network, selected, "block", arg_defaults=defaults)
            made["block"], made["definition"] = grouped.block, grouped.definition.name
            return grouped.network

        count = len(selected)
        if self._replace(edit, f"Group {count} layer{'s' if count != 1 else ''}") is None:
            return None
        self.scene.select_nodes([made["block"]])
        self.status(f"Grouped {count} layer{'s' if count != 1 else ''} into block '{made['definition']}': "
                    "double-click it to open it, Ctrl+Shift+G to ungroup.", 8000)
        return made["block"]

    def ungroup_selected(self) -> None:
        """Replace each selected block by its layers (every repetition of a repeated block)."""
        blocks = self._selected_blocks()
        if not blocks:
            self._refuse("Select a block to ungroup (a card with ▣ in its title).")
            return
        stack = self.document.undo_stack
        stack.beginMacro(f"Ungroup {self.network.name_of(blocks[0]) if len(blocks) == 1 else f'{len(blocks)} blocks'}")
        try:
            for block in blocks:
                name = self.network.name_of(block)
                if self._replace(lambda network, block=block: expand(network, block), f"Ungroup {name}") is None:
                    break
        finally:
            stack.endMacro()

    def make_unique_selected(self) -> None:
        """Give the selected block its own copy of its definition, so editing it changes no other."""
        blocks = self._selected_blocks()
        if len(blocks) != 1:
            self._refuse("Select one block to make unique.")
            return
        name = self.network.name_of(blocks[0])
        made: dict[str, str] = {}

        def edit(network: Network) -> Network:
            result, made["definition"] = make_unique(network, blocks[0], python_name(name))
            return result

        if self._replace(edit, f"Make {name} unique"):
            self.status(f"'{name}' now uses its own definition '{made['definition']}'.", 6000)

    # -- opening ---------------------------------------------------------------------------
    def open_selected(self) -> bool:
        """Show the inside of the one selected block."""
        blocks = self._selected_blocks()
        return len(blocks) == 1 and self.open(blocks[0])

    def open(self, block: str) -> bool:
        if not self.document.open_block(block):
            definition = self.network.params_view(block).get("definition", "?")
            self._refuse(f"Block '{self.network.name_of(block)}' cannot be opened: its definition '{definition}' "
                         "is missing from the library, or contains itself.")
            return False
        inner = self.document.network
        if len({inner.node(n).position for n in inner.node_ids}) < len(inner):  # cards on top of each other
            self.document.execute(LayoutCommand(inner, aspect=None))
        self.view.fit()  # below the breadcrumb
        return True

    def close_one(self) -> bool:
        """Back up one level (Escape); False at the top level."""
        depth = len(self.document.scope)
        if not depth:
            return False
        self.close_to(depth - 1)
        return True

    def close_to(self, depth: int) -> None:
        shown = self.document.scope
        self.document.close_to(depth)
        if depth < len(shown) and shown[depth].block in self.scene.nodes:
            self.scene.select_nodes([shown[depth].block])  # the block we came out of
        self.view.fit()

    # -- instances from the library ----------------------------------------------------------
    def add_instance(self, definition: str, at: QPointF | None = None) -> str | None:
        """Add an instance of `definition` (the project's, or a built-in one copied into the project
        with those it uses); one undo step."""
        stack = self.document.undo_stack
        stack.beginMacro(f"Add block {definition}")
        try:
            if definition not in self.document.project.blocks:
                if definition not in builtin_library():
                    self._refuse(f"There is no block definition '{definition}'.")
                    return None
                if self._replace(lambda network: add_builtin(network, definition)[0],
                                 f"Add definition {definition}") is None:
                    return None
            centre = at if at is not None else self.view.centre_of_view()
            position = (centre.x() - style.NODE_WIDTH / 2, centre.y() - style.NODE_HEIGHT / 2)
            add = AddNodeCommand(self.network, BLOCK, position, {"definition": definition},
                                 name=free_name(self.network, python_name(definition)))
            reason = self.document.execute(add)
        finally:
            stack.endMacro()
        if reason:
            self._refuse(reason)
            return None
        self.scene.select_nodes([add.node_id])
        return add.node_id


class LibraryActions:
    """The block library panel's edits of the project's definitions, each one undoable step."""

    def __init__(self, blocks: BlockController) -> None:
        self.blocks = blocks

    def _library_edit(self, edit, text: str) -> bool:
        doc = self.blocks.document
        command = ReplaceCommand(doc.root, doc.project.blocks, edit, text)
        reason = doc.execute(command)
        if reason:
            self.blocks.status(reason, 8000)
        return reason is None

    def rename(self, name: str) -> None:
        new = dialogs.ask_text(self.blocks.view, "Rename block", f"New name for the block definition '{name}':", name)
        if not new or new.strip() == name:
            return
        if self._library_edit(lambda network: rename_definition(network, name, new), f"Rename block {name}"):
            self.blocks.status(f"Block definition '{name}' is now '{new.strip()}'; every instance follows.", 6000)

    def delete(self, name: str) -> None:
        if self._library_edit(lambda network: remove_definition(network, name), f"Delete block {name}"):
            self.blocks.status(f"Deleted the block definition '{name}' (Ctrl+Z brings it back).", 6000)

    def export(self, name: str) -> None:
        path = dialogs.ask_block_path(self.blocks.view, True, f"{name}{BLOCK_EXTENSION}")
        if not path:
            return
        try:
            saved = save_block(self.blocks.document.project.blocks, name, path)
        except (OSError, LayerLabError) as error:
            dialogs.show_error(self.blocks.view, "Export block", f"The block could not be saved: {error}")
            return
        self.blocks.status(f"Saved block '{name}' to {saved}.", 6000)

    def import_file(self, path: str | None = None) -> str | None:
        """Add the block of a `.layerlab-block` file to the library (one undo step); its name."""
        path = path or dialogs.ask_block_path(self.blocks.view, False)
        if not path:
            return None
        made: dict[str, object] = {}

        def edit(network: Network) -> Network:
            result, made["name"], made["problems"] = import_block(network, path)
            return result

        try:
            done = self._library_edit(edit, "Import block")
        except OSError as error:
            done, made["problems"] = False, [str(error)]
        if not done:
            return None
        problems = made.get("problems") or []
        self.blocks.status(f"Imported block '{made['name']}'" + (f"; left out: {'; '.join(problems)}"  # type: ignore[arg-type]
                                                                  if problems else "."), 8000)
        return str(made["name"])


def network_at_parent(document: Document) -> Network:
    """The network holding the block that is open (the one above the network shown)."""
    return network_at(document.root, document.scope[:-1])


def free_name(network: Network, name: str) -> str:
    """`name` when no layer has it, else `name_2`, `name_3`, ..."""
    taken = {network.name_of(n) for n in network.node_ids}
    return name if name not in taken else network.unique_name(f"{name}_")
