"""LayerLab's Qt front end, one package per room: common (shared helpers), document (the graph and its
undoable commands), canvas, editor, files, plots, training and shell (the main window). The engine never
imports gui; gui/app.py and gui/launcher.py are the entry points."""
