"""Run one network through shape inference, compile and a forward pass, and say what went wrong.

A network passes when: inference raises nothing, every error it reports names a layer, and a
network it accepts compiles and runs (in eval and training mode) with every layer's real output
shapes equal to the inferred ones. Networks too large to run here are compiled and run only when
they fit `MAX_PARAMS` and `MAX_VALUES`.
"""

from __future__ import annotations

import operator
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import fx

from engine.compiler import compile_network, example_input
from engine.errors import LayerLabError, ProjectError
from engine.graph import Network
from engine.project import load_project
from engine.shapes import Analysis, infer_shapes

MAX_PARAMS = 5_000_000
MAX_VALUES = 2_000_000
"""Limits (parameters; activation values of one sample) above which a network is not built here."""

CRASH = "crash in shape inference"
UNATTRIBUTED = "error not attributed to a layer"
NO_COMPILE = "accepted but does not compile"
NO_RUN = "accepted but its forward pass fails"
MISMATCH = "real shape differs from the inferred one"
OPEN_CRASH = "crash opening a damaged file"
UNCLEAR = "error that does not name the file"
CHANGED = "file changed by opening it"


@dataclass
class Verdict:
    """What happened to one network; `problems` holds (kind, detail) pairs, empty when all is well."""

    accepted: bool = False
    ran: bool = False
    too_big: bool = False
    errors: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


def check_network(network: Network) -> Verdict:
    verdict = Verdict()
    try:
        analysis = infer_shapes(network)
    except Exception as error:
        verdict.problems.append((CRASH, describe(error)))
        return verdict
    verdict.errors = len(analysis.errors)
    for issue in analysis.errors:
        if issue.node is None or issue.node not in network:
            verdict.problems.append((UNATTRIBUTED, issue.message))
    verdict.accepted = analysis.ok
    if analysis.ok:
        if analysis.total_params > MAX_PARAMS or _largest(analysis) > MAX_VALUES:
            verdict.too_big = True
        else:
            _run(network, analysis, verdict)
    return verdict


def _largest(analysis: Analysis) -> int:
    return sum(info.activations for info in analysis.nodes.values())


def check_project_file(path: Path) -> tuple[bool, list[tuple[str, str]]]:
    """Open a (damaged) project file: (opened, problems). It must open or be refused with a
    ProjectError naming the file, and stay byte for byte as it was. One that opens must then pass
    `check_network`, and save back to text."""
    before = path.read_bytes()
    problems: list[tuple[str, str]] = []
    opened = False
    try:
        project = load_project(path)
        opened = True
    except ProjectError as error:
        if path.name not in str(error):
            problems.append((UNCLEAR, str(error)[:200]))
    except Exception as error:
        problems.append((OPEN_CRASH, describe(error)))
    if opened:
        problems += check_network(project.network).problems
        try:
            project.to_json()
        except Exception as error:
            problems.append((OPEN_CRASH, f"saving it back: {describe(error)}"))
    if path.read_bytes() != before:
        problems.append((CHANGED, path.name))
    return opened, problems


def _run(network: Network, analysis: Analysis, verdict: Verdict) -> None:
    try:
        gm = compile_network(network, analysis)
    except Exception as error:
        verdict.problems.append((NO_COMPILE, describe(error)))
        return
    try:
        x = example_input(network, batch=2)
        with torch.no_grad():
            gm.train()
            gm(x)
            gm.eval()
            values = ValueShapes(gm).shapes(x)
    except Exception as error:
        verdict.problems.append((NO_RUN, describe(error)))
        return
    verdict.ran = True
    for node_id, port, real in real_shapes(network, gm, values):
        inferred = analysis.nodes[node_id].outputs.get(port)
        if real != inferred:
            spec = network.spec(node_id)
            detail = f"{spec.type_id}.{port}: inferred {inferred}, real {real} (params {network.node(node_id).params})"
            verdict.problems.append((MISMATCH, detail))


class ValueShapes(fx.Interpreter):
    """Runs the module and keeps each fx value's shape without the batch axis."""

    def shapes(self, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
        self.found: dict[str, tuple[int, ...]] = {}
        self.run(x)
        return self.found

    def run_node(self, node: fx.Node) -> object:
        result = super().run_node(node)
        if isinstance(result, torch.Tensor):
            self.found[node.name] = tuple(result.shape[1:])
        return result


def real_shapes(network: Network, gm: fx.GraphModule,
                values: dict[str, tuple[int, ...]]) -> list[tuple[str, str, tuple]]:
    """(node id, output port, real shape without the batch axis) of every layer's used outputs."""
    by_name = {node.name: node for node in gm.graph.nodes}
    found = []
    for node_id, name in gm.meta["layerlab_nodes"].items():
        value = by_name[name]
        ports = {"out": value}
        if value.op == "call_function" and value.target is operator.getitem:  # a layer with several outputs
            outputs = network.spec(node_id).outputs
            ports = {outputs[user.args[1]]: user for user in value.args[0].users}
        found += [(node_id, port, values[fx_node.name]) for port, fx_node in ports.items()]
    return found


def describe(error: BaseException) -> str:
    """'Type: message (file:line)' with the innermost LayerLab frame, so equal bugs group together."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "/engine/" in f.filename and "/robustness/" not in f.filename]
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    if isinstance(error, LayerLabError):
        where += f" [{type(error).__name__}]"
    message = str(error).splitlines()[0][:160] if str(error) else ""
    return f"{type(error).__name__}: {message}{where}"


def worst(problems: list[tuple[str, str]], top: int = 5) -> list[tuple[str, str, int]]:
    """The most frequent problems as (kind, an example, count), grouped with their numbers and
    [bracketed notes] blanked out (the same bug on other sizes, seeds or files counts once)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for kind, detail in problems:
        gist = re.sub(r"\d+", "#", re.sub(r"\[[^\]]*\]", "", detail))[:100]
        groups.setdefault((kind, gist), []).append(detail)
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))[:top]
    return [(kind, details[0], len(details)) for (kind, _), details in ranked]
