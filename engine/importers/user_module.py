"""Import a person's own nn.Module from a Python file (`path/model.py:ClassName`) through the same
torch.fx path as torchvision models. Loading the file runs its code: callers say so first.

Refusals name the file and what to do: a file that is not Python, a class the file lacks (the
nn.Module classes it has are listed), constructor arguments not given (named from the signature),
and operations LayerLab cannot represent or trace (each with its line in the file)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import inspect
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from engine.graph import python_name
from engine.importers.torchvision_import import ImportRefused, import_module
from engine.importers.weights import WeightsReport, load_weights
from engine.project import Project

TOLERANCE = 1e-5  # the largest output difference (relative to the output's size) an import may show
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)\n\s*(?P<code>[^\n]*)')


class UserModuleError(ImportRefused):
    """The file, the class or its arguments cannot give a module; the message says what to do."""


@dataclass
class UserImport:
    """The imported project, the module it came from (in eval mode, with its own weights) and the
    largest difference between their outputs on a probe batch."""

    project: Project
    reference: nn.Module
    max_abs_diff: float

    def copy_weights(self, model: nn.Module) -> WeightsReport:
        """Copy the module's weights into a compiled LayerLab model."""
        return load_weights(model, self.reference.state_dict())


def parse_user_source(source: str) -> tuple[Path, str] | None:
    """'path/model.py:ClassName' -> (path, 'ClassName'); None unless the part before ':ClassName' is a
    .py path or an existing file (so 'torchvision:resnet18' and 'C:\\w.pt' are not read as one)."""
    path, colon, name = source.rpartition(":")
    if not colon or not path or not name.isidentifier() or source.startswith("torchvision:"):
        return None
    return (Path(path), name) if path.lower().endswith(".py") or Path(path).is_file() else None


def load_module_file(path: Path) -> Any:
    """Run the Python file at `path` as a module of its own name, with its folder on sys.path only
    while it loads (so it can import its neighbours); no __pycache__ is left beside it."""
    if not path.is_file():
        raise UserModuleError(f"Cannot import '{path}': the file does not exist.")
    try:
        text = path.read_text(encoding="utf-8")
        compile(text, str(path), "exec")
    except (UnicodeDecodeError, ValueError):
        raise UserModuleError(f"'{path}' is not a Python file (it is not text); give a .py file that "
                              "defines the model as path/model.py:ClassName.") from None
    except SyntaxError as error:
        raise UserModuleError(f"'{path}' is not valid Python (line {error.lineno}: {error.msg}); give a .py "
                              "file that defines the model as path/model.py:ClassName.") from None
    name = f"layerlab_user_{python_name(path.stem)}"
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    folder, no_bytecode = str(path.resolve().parent), sys.dont_write_bytecode
    sys.path.insert(0, folder)
    sys.modules[name] = module  # dataclasses, pickling and fx look the module up by name
    sys.dont_write_bytecode = True
    try:
        loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(name, None)
        raise UserModuleError(f"Running '{path}' failed{_where(error, path)}: {_short(error)}. Fix the file "
                              "so that it imports on its own.") from None
    finally:
        sys.dont_write_bytecode = no_bytecode
        if folder in sys.path:
            sys.path.remove(folder)
    return module


def module_classes(module: Any) -> list[str]:
    """The nn.Module classes defined in `module` (not those it imports)."""
    return sorted(name for name, value in vars(module).items()
                  if inspect.isclass(value) and issubclass(value, nn.Module)
                  and value.__module__ == module.__name__)


def build_user_module(path: Path, class_name: str, kwargs: dict[str, Any] | None = None) -> nn.Module:
    """Load `path` and instantiate its `class_name` with `kwargs`, in eval mode."""
    module = load_module_file(path)
    found = vars(module).get(class_name)
    classes = module_classes(module)
    listed = f"its nn.Module classes are {', '.join(classes)}" if classes else "it defines no nn.Module class"
    if found is None:
        raise UserModuleError(f"'{path}' has no class '{class_name}': {listed}. Give one as {path}:ClassName.")
    if not (inspect.isclass(found) and issubclass(found, nn.Module)):
        raise UserModuleError(f"'{class_name}' in '{path}' is not an nn.Module class: {listed}.")
    return instantiate(found, kwargs or {}, path)


def instantiate(cls: type[nn.Module], kwargs: dict[str, Any], path: Path) -> nn.Module:
    """`cls(**kwargs)`, or a refusal naming the arguments missing or unknown."""
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        parameters = []
    positional = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    named = [p for p in parameters if p.kind in positional]
    missing = [p.name for p in named if p.default is inspect.Parameter.empty and p.name not in kwargs]
    if missing:
        example = ", ".join(f'"{n}": ...' for n in missing)
        raise UserModuleError(f"{cls.__name__} in '{path}' needs the argument(s) {', '.join(missing)}: give them "
                              f"as JSON with --args '{{{example}}}'.")
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    unknown = [k for k in kwargs if not takes_any and k not in {p.name for p in named}]
    if unknown:
        accepted = ", ".join(p.name for p in named) or "no arguments"
        raise UserModuleError(f"{cls.__name__} in '{path}' takes no argument(s) {', '.join(unknown)} "
                              f"(it takes {accepted}).")
    try:
        return cls(**kwargs).eval()
    except Exception as error:
        raise UserModuleError(f"{cls.__name__}(...) from '{path}' failed{_where(error, path)}: {_short(error)}.") \
            from None


def import_user_module(source: str, input_shape: tuple[int, ...], kwargs: dict[str, Any] | None = None,
                       flat: bool = False) -> UserImport:
    """Import `path/model.py:ClassName` built with `kwargs` for inputs of `input_shape` (C, H, W)."""
    parsed = parse_user_source(source)
    if parsed is None:
        raise UserModuleError(f"Cannot import '{source}': name the class as path/model.py:ClassName.")
    path, class_name = parsed
    module = build_user_module(path, class_name, kwargs)
    description = (f"{class_name} from {path.name}, imported with torch.fx for "
                   f"{'x'.join(map(str, input_shape))} inputs.")
    project = import_traced(module, tuple(input_shape), class_name, description, flat, path)
    difference = output_difference(project, module.state_dict(), module, input_shape, class_name)
    return UserImport(project, module, difference)


def import_traced(module: nn.Module, input_shape: tuple[int, ...], name: str, description: str, flat: bool,
                  path: Path | None = None) -> Project:
    """`import_module`; a refusal places tracing failures and refused operations at their line in `path`."""
    try:
        return import_module(module, input_shape, name, description, flat=flat)
    except ImportRefused as refusal:
        if path is None:
            raise
        raise _placed(refusal, module, name, path) from None


def _placed(refusal: ImportRefused, module: nn.Module, name: str, path: Path) -> ImportRefused:
    """The refusal with lines of `path`: fx is run again, recording where each operation comes from."""
    try:
        graph = _traced_with_lines(module)
    except Exception as error:
        return ImportRefused(f"torch.fx cannot trace {name}.forward{_where(error, path)}: "
                             f"{_short(error)}. LayerLab imports a forward whose operations do not depend on the "
                             "values of tensors (no `if` on a tensor, no loop over its size).")
    if not refusal.problems:
        return refusal
    lines = _located(refusal.problems, graph, path)
    return ImportRefused(f"{name} in '{path}' cannot be imported exactly: {len(lines)} operation(s) LayerLab "
                         "cannot represent:\n" + "\n".join(f"- {line}" for line in lines), refusal.problems)


def output_difference(project: Project, state: dict[str, torch.Tensor], reference: Callable[[torch.Tensor], Any],
                      input_shape: tuple[int, ...], name: str, batch: int = 2) -> float:
    """Compile `project`, load `state` and compare with `reference` on a seeded probe batch; refuse when
    the weights do not fill it or the outputs differ."""
    from engine.compiler import compile_network

    model = compile_network(project.network).eval()
    report = load_weights(model, state)
    if not report.complete:
        raise ImportRefused(f"{name}: the weights do not fit the imported network:\n{report.summary()}")
    x = torch.randn(batch, *input_shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours, theirs = model(x), torch.as_tensor(reference(x))
    if ours.shape != theirs.shape:
        raise ImportRefused(f"{name}: the imported network gives outputs of shape {list(ours.shape)}, the "
                            f"original {list(theirs.shape)}.")
    difference = (ours - theirs).abs().max().item() if ours.numel() else 0.0
    if not difference <= TOLERANCE * max(1.0, theirs.abs().max().item()):
        raise ImportRefused(f"{name}: the imported network's outputs differ from the original's by "
                            f"{difference:.3g}; not written.")
    return difference


def _traced_with_lines(module: nn.Module) -> fx.Graph:
    """The graph `import_module` sees (its tracer, where it has one of its own), with stack traces."""
    try:
        from engine.importers.fx_graph import _Tracer as tracer_class
    except ImportError:
        tracer_class = fx.Tracer
    tracer = tracer_class()
    tracer.record_stack_traces = True
    return tracer.trace(module)


def _located(problems: list[str], graph: fx.Graph, path: Path) -> list[str]:
    """Each problem with the line of `path` its operation comes from, where fx recorded one."""
    lines_of: dict[str, str] = {}
    for node in graph.nodes:
        line = _line_in(node.stack_trace or node.meta.get("stack_trace") or "", path)
        if line:
            lines_of.setdefault(node.name, line)
            if node.op == "call_module":
                lines_of.setdefault(str(node.target), line)
    located = []
    for problem in problems:
        quoted = re.match(r"'([^']+)'", problem)
        line = lines_of.get(quoted.group(1)) if quoted else None
        where, _, reason = problem.partition(": ")
        located.append(f"{where} at {line}: {reason}" if line and reason else problem)
    return located


def _line_in(stack: str, path: Path) -> str | None:
    """'model.py line 12 (`x = x.mean(1)`)' for the last frame of `stack` in `path`."""
    target = str(path.resolve())
    frames = [m for m in _FRAME.finditer(stack) if _same_file(m.group("file"), target)]
    if not frames:
        return None
    last = frames[-1]
    return f"{path.name} line {last.group('line')} (`{last.group('code').strip()}`)"


def _where(error: BaseException, path: Path) -> str:
    """' at path/model.py line 12 (`code`)' for the deepest frame of the traceback in `path`, or ''."""
    target = str(path.resolve())
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _same_file(f.filename, target)]
    if isinstance(error, SyntaxError) and error.filename and _same_file(error.filename, target):
        return f" at {path} line {error.lineno}"
    if not frames:
        return ""
    frame = frames[-1]
    return f" at {path} line {frame.lineno} (`{(frame.line or '').strip()}`)"


def _same_file(filename: str, target: str) -> bool:
    try:
        return str(Path(filename).resolve()) == target
    except OSError:
        return False


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:300]}" if text else type(error).__name__
