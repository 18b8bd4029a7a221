"""Workloads and strategies from outside bench: entry points and `module:attribute` import paths.

A package declares `[project.entry-points."bench.workloads"]` (or `"bench.strategies"`) with
`name = "module:attribute"`; the command line also takes `--workload module:attribute`. A
plugin is imported only when it is used or listed, so a broken one fails where it is asked
for (one line naming it and the problem) and `bench list` shows it as broken beside the others.
The mechanism follows pytest's and optuna's plugins: `importlib.metadata.entry_points`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bench.errors import BenchError
from bench.registry import Registry

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

T = TypeVar("T")


@dataclass(frozen=True)
class Listed:
    """One plugin as `bench list` shows it: its entry, or why it cannot be used."""

    name: str
    origin: str
    entry: Any = None
    problem: str | None = None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def import_object(path: str, label: str = "") -> Any:
    """The object `module.sub:attribute` names; the working folder is importable, as with `python -m`.

    Args:
        label: what the object should be ("workload"), leading each error message.

    Raises:
        BenchError: the path is malformed, the module fails to import or lacks the attribute.
    """
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name.strip() or not attribute.strip():
        raise BenchError(f"{label} {path!r} is not an import path; expected module:attribute "
                         "(mypkg.module:my_object)")
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        obj = importlib.import_module(module_name)
    except Exception as exc:  # any error in the user's module is that plugin's problem
        raise BenchError(f"{label} {path}: module {module_name!r} failed to import "
                         f"({_first_line(exc)})") from None
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise BenchError(f"{label} {path}: module {module_name!r} has no "
                             f"attribute {attribute!r}") from None
    return obj


class Plugins(Generic[T]):
    """The plugins of one kind, beside the registry of built-ins they may not shadow.

    Args:
        kind: "workload" or "strategy", for messages.
        group: the entry-point group ("bench.workloads").
        registry: the built-ins' registry; a loaded plugin is registered there under its name.
        check: raises TypeError naming what the object should be when it is not a `kind`.
        env_var: when set, an import path used in this process is appended to this variable,
            so that Ray's workers (which inherit the environment) resolve the same name.
    """

    def __init__(self, kind: str, group: str, registry: Registry[T], check: Callable[[Any], None],
                 env_var: str | None = None) -> None:
        self.kind = kind
        self.group = group
        self.registry = registry
        self.builtins = frozenset(registry.names())
        self._check = check
        self._env_var = env_var

    @cached_property
    def _entry_points(self) -> dict[str, list]:
        from importlib.metadata import entry_points

        found: dict[str, list] = {}
        for point in entry_points(group=self.group):
            found.setdefault(point.name, []).append(point)
        return found

    def names(self) -> list[str]:
        """Entry-point names, built-ins excluded."""
        return [n for n in self._entry_points if n not in self.builtins]

    def _origin(self, point: EntryPoint) -> str:
        dist = getattr(point, "dist", None)
        package = f"{dist.metadata['Name']} {dist.version}" if dist is not None else "an unknown package"
        return f"entry point in {package} ({point.value})"

    def _validate(self, obj: Any, name: str, label: str) -> T:
        try:
            self._check(obj)
        except TypeError as exc:
            raise BenchError(f"{self.kind} plugin {label}: {exc}") from None
        if obj.name != name:
            raise BenchError(f"{self.kind} plugin {label}: the object is named {obj.name!r}; "
                             f"the entry point must carry the same name")
        return obj

    def load(self, name: str) -> T:
        """Import, check and register the entry point `name` (BenchError naming the problem)."""
        if name in self.registry and name not in self.builtins:
            return self.registry.get(name)
        points = self._entry_points[name]
        label = f"{name!r} ({self._origin(points[0])})"
        if name in self.builtins:
            if self._loads_registered(points[0], name):  # registered from its import path (BENCH_WORKLOADS)
                return self.registry.get(name)
            raise BenchError(f"{self.kind} plugin {label} collides with the built-in {self.kind} {name!r}; "
                             f"rename the entry point")
        if len(points) > 1:
            raise BenchError(f"{self.kind} plugin {name!r} is declared twice: "
                             f"{'; '.join(self._origin(p) for p in points)}")
        try:
            obj = points[0].load()
        except Exception as exc:  # a broken plugin is reported, whatever it raised
            raise BenchError(f"{self.kind} plugin {label} failed to import ({_first_line(exc)})") from None
        entry = self._validate(obj, name, label)
        if name not in self.registry:
            self.registry.register(name, entry)
        return entry

    def _loads_registered(self, point: EntryPoint, name: str) -> bool:
        try:
            return point.load() is self.registry.get(name)
        except Exception:  # a broken plugin is not the registered object
            return False

    def load_path(self, path: str) -> T:
        """Import, check and register the object `module:attribute` names, under its own name."""
        obj = import_object(path, self.kind)
        try:
            self._check(obj)
        except TypeError as exc:
            raise BenchError(f"{self.kind} {path}: {exc}") from None
        name = obj.name
        if name in self.registry:
            if self.registry.get(name) is obj:
                return obj
            taken = "the built-in" if name in self.builtins else "another"
            raise BenchError(f"{self.kind} {path}: its name {name!r} collides with {taken} {self.kind} "
                             f"{name!r}; give it another name")
        if name in self._entry_points:
            if self.load(name) is obj:  # the import path of an installed plugin
                return obj
            raise BenchError(f"{self.kind} {path}: its name {name!r} collides with the {self.kind} plugin "
                             f"{name!r} ({self._origin(self._entry_points[name][0])}); give it another name")
        self.registry.register(name, obj)
        self._export(path)
        return obj

    def _export(self, path: str) -> None:
        if self._env_var is None:
            return
        entries = [e for e in os.environ.get(self._env_var, "").split(",") if e.strip()]
        if path not in entries:
            os.environ[self._env_var] = ",".join([*entries, path])
        # Ray's workers start in other folders: the folder this import resolved from goes with them.
        cwd = os.getcwd()
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if cwd not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [*paths, cwd]))

    def find(self, name: str) -> T | None:
        """A built-in, a plugin (by entry-point name or import path) or None when nothing has that name."""
        if ":" in name:
            return self.load_path(name)
        if name in self._entry_points:
            return self.load(name)  # refuses a plugin shadowing a built-in
        if name in self.registry:
            return self.registry.get(name)
        return None

    def listing(self) -> list[Listed]:
        """Every entry point, loaded where possible; a broken one carries its problem."""
        listed = []
        for name, points in self._entry_points.items():
            try:
                listed.append(Listed(name, self._origin(points[0]), entry=self.load(name)))
            except BenchError as exc:
                listed.append(Listed(name, self._origin(points[0]), problem=str(exc)))
        return listed
