"""The Runs panel: every recorded run in a table to sort, filter, tag and compare (engine.runs)."""
