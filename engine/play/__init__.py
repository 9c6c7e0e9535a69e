"""Play with a trained network (no Qt): inputs drawn, opened or picked from the test split
(engine.play.inputs), predictions with every layer's activations (engine.play.predict), attributions
(engine.play.explain, Captum) and weight snapshots across training (engine.play.snapshots).

Import the modules themselves: this package imports nothing, so that engine.run_dir can use
engine.play.snapshots without loading torch."""
