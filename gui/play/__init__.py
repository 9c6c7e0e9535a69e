"""The Play panel: try the trained network on a drawing, an image file or a test sample, and see
why it answers (engine.play)."""
