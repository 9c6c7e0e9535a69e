"""Projects on disk: the file controller (new, open, save, recent files, the samples gallery),
autosave and crash recovery, and the import and export dialogs.
It may import gui.common and gui.document; never gui.canvas, gui.editor, gui.training or gui.shell
(the controller reaches the window only through the small protocol it is given)."""
