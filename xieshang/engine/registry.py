"""Finding, loading and checking rule plugins, and calling their hooks.

Plugins are found through the entry-point group ``xieshang.rules`` (xieshang's own plugins are
registered the same way). Each plugin is loaded on its own; one that fails to import, declares
a plugin API version this xieshang does not provide, raises, returns something that is not a
standard, or reuses another plugin's code is reported — with its name, its distribution and
what to do — while the others keep working.

Every hook is called through :meth:`RulePlugins.call_each`, which asks each plugin on its own
and turns what one raises (or returns wrongly) into a :class:`PluginProblem`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any, Generic, TypeVar

import pluggy

from xieshang.db.enums import BUILTIN_ACTIVITY_KINDS
from xieshang.rules import hookspecs
from xieshang.rules.compat import PLUGIN_API_VERSION, version_tuple
from xieshang.rules.standards import ACTIVITY_KIND_CODE, ActivityKind, Standard, problems

ENTRY_POINT_GROUP = "xieshang.rules"


@dataclass(frozen=True)
class PluginProblem:
    """Something wrong with one plugin, said so that its author or a county can fix it."""

    plugin: str
    distribution: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.plugin} ({self.distribution})" if self.distribution else self.plugin
        return f"{where}: {self.message} — {self.fix}"


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin."""

    name: str
    distribution: str
    version: str


T = TypeVar("T")


@dataclass(frozen=True)
class Answer(Generic[T]):
    """One plugin's answer to a hook, checked."""

    plugin: PluginInfo
    value: T


@dataclass(frozen=True)
class Failure:
    """A plugin whose hook raised, or answered with something the hook does not accept."""

    plugin: PluginInfo
    problem: PluginProblem
    #: What was raised (for the log's traceback).
    error: Exception


#: The attribute a plugin may set to the plugin API versions it supports ("2.0", or several).
API_VERSION_ATTRIBUTE = "xieshang_api_version"


def api_version_problem(plugin: object, name: str, distribution: str) -> PluginProblem | None:
    """Why ``plugin`` cannot be used with this xieshang's plugin API (None: it can).

    A plugin without ``xieshang_api_version`` is taken to support the current version. With it,
    one of the versions it names must have the current major version and a minor version not
    above the current one (docs/plugins.md, 兼容性 compatibility).
    """
    declared = getattr(plugin, API_VERSION_ATTRIBUTE, None)
    if declared is None:
        return None
    package = distribution or "the plugin"
    versions = [declared] if isinstance(declared, str) else declared
    try:
        if not isinstance(versions, list | tuple | set | frozenset) or not versions:
            raise ValueError(declared)
        wanted = sorted(version_tuple(v) for v in versions)
    except ValueError:
        return PluginProblem(
            name,
            distribution,
            f"{API_VERSION_ATTRIBUTE} = {declared!r} is not a plugin API version"
            " ('MAJOR.MINOR') or a tuple of them",
            f'set {API_VERSION_ATTRIBUTE} = "{PLUGIN_API_VERSION}" (or a tuple of the'
            " versions the plugin supports) in the plugin module",
        )
    major, minor = version_tuple(PLUGIN_API_VERSION)
    if any(m == major and n <= minor for m, n in wanted):
        return None
    said = ", ".join(f"{m}.{n}" for m, n in wanted)
    message = f"supports plugin API {said}; this xieshang provides plugin API {PLUGIN_API_VERSION}"
    if wanted[0] > (major, minor):
        fix = (
            f"upgrade xieshang to a release that provides plugin API {said}"
            f" (pip install -U xieshang), or install an older release of {package}"
        )
    else:
        fix = (
            f"update {package} for plugin API {PLUGIN_API_VERSION} (docs/plugins.md,"
            f' 兼容性 compatibility) and add "{PLUGIN_API_VERSION}" to its {API_VERSION_ATTRIBUTE}'
        )
    return PluginProblem(name, distribution, message, fix)


@dataclass
class RulePlugins:
    """The installed rule plugins and what they provide."""

    manager: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    standards: dict[str, Standard] = field(default_factory=dict)
    activity_kinds: dict[str, str] = field(default_factory=dict)
    #: Standards declared but unusable (invalid): code → why. Counties using them see ERROR.
    broken: dict[str, str] = field(default_factory=dict)
    _load_problems: list[PluginProblem] = field(default_factory=list)
    _collect_problems: list[PluginProblem] = field(default_factory=list)

    @property
    def problems(self) -> list[PluginProblem]:
        """Everything wrong with the installed plugins (empty when all is well)."""
        return [*self._load_problems, *self._collect_problems]

    @classmethod
    def empty(cls) -> RulePlugins:
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        rules = cls(manager)
        rules.collect()
        return rules

    @classmethod
    def load(
        cls, *, entry_points: bool = True, extra: tuple[tuple[str, Any], ...] = ()
    ) -> RulePlugins:
        """Every plugin installed (entry points), plus ``extra`` ``(name, plugin)`` pairs."""
        rules = cls.empty()
        if entry_points:
            for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                rules._load_entry_point(entry_point)
        for name, plugin in extra:
            rules.register(plugin, name)
        rules.collect()
        return rules

    def _load_entry_point(self, entry_point: importlib.metadata.EntryPoint) -> None:
        dist = entry_point.dist
        distribution = dist.name if dist is not None else ""
        version = dist.version if dist is not None else ""
        try:
            plugin = entry_point.load()
        except Exception as exc:  # a broken plugin must not take the service down
            self._load_problems.append(
                PluginProblem(
                    entry_point.name,
                    distribution,
                    f"failed to import {entry_point.value!r}: {type(exc).__name__}: {exc}",
                    f'run `python -c "import {entry_point.value.split(":")[0]}"` to see the error;'
                    f" reinstall or fix {distribution or 'the package'}, or uninstall it",
                )
            )
            return
        self.register(plugin, entry_point.name, distribution=distribution, version=version)

    def register(
        self, plugin: Any, name: str, *, distribution: str = "", version: str = ""
    ) -> None:
        """Add a plugin object or module (tests and harnesses use this directly)."""
        if not distribution and isinstance(plugin, ModuleType):
            distribution = _distribution_of(plugin)
        if name in self.plugins or self.manager.has_plugin(name):
            self._load_problems.append(
                PluginProblem(
                    name,
                    distribution,
                    "a plugin of this name is already registered",
                    "give the entry point another name",
                )
            )
            return
        incompatible = api_version_problem(plugin, name, distribution)
        if incompatible is not None:
            self._load_problems.append(incompatible)
            return
        try:
            self.manager.register(plugin, name=name)
        except Exception as exc:
            self._load_problems.append(
                PluginProblem(
                    name,
                    distribution,
                    f"cannot be registered: {exc}",
                    "check the hook names and signatures against docs/plugins.md",
                )
            )
            return
        try:
            # Hook implementations whose names match no hook (a typo, a hook of another
            # version) would silently never run: refuse the plugin and say so.
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            self.manager.unregister(name=name)
            self._load_problems.append(
                PluginProblem(
                    name,
                    distribution,
                    f"implements an unknown hook: {exc}",
                    "rename the function to a hook listed in docs/plugins.md, or remove its @hookimpl",
                )
            )
            return
        self.plugins[name] = PluginInfo(name, distribution, version or _version_of(distribution))

    def unregister(self, name: str) -> None:
        self.manager.unregister(name=name)
        self.plugins.pop(name, None)
        self.collect()

    def collect(self) -> None:
        """Ask every plugin, one by one, for its standards and activity kinds."""
        self._collect_problems = []
        self.standards, self.broken = {}, {}
        self.activity_kinds = dict(BUILTIN_ACTIVITY_KINDS)
        for answer in self.call_each(
            "xieshang_standards",
            _as_list,
            fix="fix the plugin so the hook returns its list of standards without raising",
        ):
            if isinstance(answer, Failure):
                self._collect_problems.append(answer.problem)
            else:
                self._collect_standards(answer.value, answer.plugin)
        for kinds in self.call_each("xieshang_activity_kinds", _as_list, fix="fix the hook"):
            if isinstance(kinds, Failure):
                self._collect_problems.append(kinds.problem)
            else:
                self._collect_kinds(kinds.value, kinds.plugin)

    def call_each(
        self, hook: str, check: Callable[[object], T], /, *, fix: str, **kwargs: object
    ) -> list[Answer[T] | Failure]:
        """Call every plugin's implementation of ``hook`` on its own, with ``kwargs``.

        Each answer goes through ``check``, which returns the accepted value or raises when the
        answer is not what the hook promises. A plugin that raises, or whose answer ``check``
        refuses, is a :class:`Failure` naming the plugin and its distribution (``fix`` says what
        to do); the other plugins are asked as usual. Answers are in pluggy's calling order.
        """
        answers: list[Answer[T] | Failure] = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            info = self.plugins.get(impl.plugin_name, PluginInfo(impl.plugin_name, "", ""))
            try:
                returned = impl.function(*[kwargs[name] for name in impl.argnames])
            except (
                Exception
            ) as exc:  # one plugin's bug must reach neither the caller nor the others
                message = f"{hook}() raised {type(exc).__name__}: {exc}"
                problem = PluginProblem(info.name, info.distribution, message, fix)
                answers.append(Failure(info, problem, exc))
                continue
            try:
                value = check(returned)
            except Exception as exc:
                problem = PluginProblem(info.name, info.distribution, f"{hook}() {exc}", fix)
                answers.append(Failure(info, problem, exc))
                continue
            answers.append(Answer(info, value))
        return answers

    def _problem(self, info: PluginInfo, message: str, fix: str) -> None:
        self._collect_problems.append(PluginProblem(info.name, info.distribution, message, fix))

    def _collect_standards(self, declared: list[object], info: PluginInfo) -> None:
        for standard in declared:
            found = problems(standard)
            if found or not isinstance(standard, Standard):
                self._problem(
                    info,
                    "invalid standard: " + "; ".join(found),
                    "correct the declaration (see docs/plugins.md)",
                )
                code = getattr(standard, "code", None)
                if isinstance(code, str):
                    self.broken[code] = f"{info.name}: invalid standard"
                continue
            if standard.code in self.standards:
                owner = self.standards[standard.code].plugin
                self._problem(
                    info,
                    f"standard code {standard.code!r} is already declared by plugin {owner!r}",
                    "use a code in your own namespace, e.g. '<county>.<name>'",
                )
                continue
            self.standards[standard.code] = replace(
                standard, plugin=info.name, distribution=info.distribution
            )

    def _collect_kinds(self, declared: list[object], info: PluginInfo) -> None:
        for kind in declared:
            if not isinstance(kind, ActivityKind):
                self._problem(
                    info,
                    f"returned {kind!r}, not xieshang.rules.ActivityKind",
                    "return ActivityKind(code, label)",
                )
                continue
            if not ACTIVITY_KIND_CODE.match(kind.code):
                self._problem(
                    info,
                    f"activity kind code {kind.code!r} is not upper-case letters, digits and '_'",
                    "use a code like ROTA_RECEPTION",
                )
                continue
            self.activity_kinds.setdefault(kind.code, kind.label)


def _as_list(value: object) -> list[object]:
    """A hook's list answer (None counts as an empty list; any iterable but text will do)."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"returned {type(value).__name__}, not a list")
    return list(value)


def _distribution_of(module: ModuleType) -> str:
    top = module.__name__.split(".")[0]
    names = importlib.metadata.packages_distributions().get(top, [])
    return names[0] if names else ""


def _version_of(distribution: str) -> str:
    if not distribution:
        return ""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""
