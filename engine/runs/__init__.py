"""Runs: the history of training runs in a runs folder, and searches over settings.

    engine.runs.record       record.json: seed, data fingerprint, versions, times, best results
    engine.runs.extras       what RunRecorder adds to each run directory (record.json, TensorBoard)
    engine.runs.tensorboard  TensorBoard event files, when the optional extra is installed
    engine.runs.annotations  tags and notes (annotations.json in the run directory)
    engine.runs.entry        RunEntry: one run directory read into a row, never raising
    engine.runs.index        RunIndex: a SQLite index of a runs folder, rebuilt from the directories
    engine.runs.trash        delete (to RUNS/.trash) and restore
    engine.runs.compare      settings / architecture diffs, curves, the Pareto front
    engine.runs.space        sweep search spaces (JSON), checked against a project
    engine.runs.sweep        sweeps with Optuna: each trial an ordinary recorded run
    engine.runs.folder       where runs go by default

Run directories stay the source of truth; the index is a cache (`RunIndex.rebuild()`)."""
