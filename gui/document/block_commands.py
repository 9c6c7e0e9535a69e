"""Undoable block edits: group, ungroup, expand, make unique, add a built-in definition. The engine
computes each as a new network (engine.blocks, pure functions); `ReplaceCommand` lands the result in
place in the network edited and the project's block library, and undo puts back exactly what was
there (the same ids, names, parameters, positions and wires)."""

from __future__ import annotations

from collections.abc import Callable

from engine.blocks.definition import BlockLibrary
from engine.graph import Network
from gui.document.commands import ModelCommand

Edit = Callable[[Network], Network]
"""An engine edit: from the network edited (pointing to the project's library) to the new network
(pointing to the new library)."""


class ReplaceCommand(ModelCommand):
    """Replace the contents of `network` and of the project's `library` by the result of `edit`,
    computed when the command first runs (so a refused edit never reaches the undo stack)."""

    def __init__(self, network: Network, library: BlockLibrary, edit: Edit, text: str) -> None:
        super().__init__(network, text)
        self.library, self.edit = library, edit
        self.before: tuple[Network, BlockLibrary] | None = None
        self.after: tuple[Network, BlockLibrary] | None = None
        self.result: Network | None = None  # the engine's result, for callers (e.g. the new block's id)

    def apply(self) -> None:
        if self.after is None:
            network = self.network
            if network.library is None:
                network.library = self.library
            self.before = (network.copy(), self.library.snapshot())
            self.result = self.edit(network)
            self.after = (self.result.copy(), self.result.library or BlockLibrary())
        self._put(*self.after)

    def revert(self) -> None:
        assert self.before is not None
        self._put(*self.before)

    def _put(self, contents: Network, library: BlockLibrary) -> None:
        self.library.take_definitions(library)
        self.network.library = self.library
        self.network.take_contents(contents)
