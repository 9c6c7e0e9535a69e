"""Live training in the GUI: the worker thread, the training panel and the view controller."""
