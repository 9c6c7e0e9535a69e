"""The node canvas: the scene that mirrors the document's graph, its items (cards, ports, wires), the view
with zoom and pan, the minimap and the interactions. It may import gui.common and gui.document; never
gui.editor, gui.files, gui.training, gui.plots or gui.shell."""
