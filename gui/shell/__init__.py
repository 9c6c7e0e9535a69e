"""The application shell: the main window that assembles every package, its toolbar, the start page,
the welcome banner and the help texts. It may import every gui package; none of them imports it
(gui/app.py and gui/launcher.py, the entry points, sit at the root of gui/ above it)."""
