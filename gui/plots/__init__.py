"""pyqtgraph views of training: each takes plain numpy data and never touches the trainer."""
