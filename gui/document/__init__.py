"""The open network: Document (the engine graph, which is the single source of truth, its undo stack,
path and analysis) and commands (every edit as an undoable QUndoCommand on that graph).
It imports the engine and gui.common only; canvas, editor, files, training and shell build on it."""
