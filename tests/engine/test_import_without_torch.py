"""The editor's half of the engine (graph, shapes, projects, layer specs) and the CLI's `summary`
and `validate` never import torch: importing it takes seconds, and the window must open before."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

LENET = ROOT / "sample_projects" / "lenet5.layerlab"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_editor_modules_import_without_torch():
    result = _run("import sys, engine.project, engine.shapes, engine.graph, engine.layers, engine.summary, "
                  "engine.cli, engine.training.settings, engine.data.settings\n"
                  "from engine.layers import SPECS, get_spec\n"
                  "from engine.cli import command_names\n"
                  "assert 'export' in command_names()\n"
                  "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'torch')\n"
                  "assert not loaded, loaded[:5]\n")
    assert result.returncode == 0, result.stderr


def test_summary_and_validate_run_without_torch():
    result = _run("import sys\nfrom engine.cli import main\n"
                  f"assert main(['summary', {str(LENET)!r}]) == 0\n"
                  f"assert main(['validate', {str(LENET)!r}]) == 0\n"
                  "assert 'torch' not in sys.modules\n")
    assert result.returncode == 0, result.stderr
    assert "61,706" in result.stdout


def test_building_a_layer_imports_torch_then():
    result = _run("import sys\nfrom engine.layers import get_spec\n"
                  "spec = get_spec('Conv2d')\n"
                  "module = spec.build(spec.defaults(), [(1, 8, 8)], frozenset())\n"
                  "add = get_spec('Add').build({}, [(4,), (4,)], frozenset())\n"
                  "import torch\n"
                  "assert isinstance(module, torch.nn.Conv2d) and type(add).__name__ == 'Add'\n")
    assert result.returncode == 0, result.stderr
