"""Editing the network beside the canvas: the edit controller (cut, copy, paste, delete, layout),
the clipboard, the palette, the inspector with its parameter editors and the summary table.
It may import gui.common, gui.document and gui.canvas; never gui.files, gui.training or gui.shell."""
