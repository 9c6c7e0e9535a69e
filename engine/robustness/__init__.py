"""Robustness checks: random networks and corrupted project files, shared by the fast tests
(tests/engine/test_robustness.py) and the full benchmark (benchmarks/bench_robustness.py).

`networks` draws random DAGs of every registered layer type; `check` runs one through shape
inference, compile and a forward pass and says what went wrong; `corrupt` damages project files.
"""
