"""Finding, loading and checking rule plugins.

Plugins are found through the entry-point group ``xieshang.rules`` (xieshang's own plugins are
registered the same way). Each plugin is loaded and asked for its standards on its own, so one
that fails to import, raises, returns something that is not a standard, or reuses another
plugin's code is reported — with its name, its distribution and what to do — while the others
keep working.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

import pluggy

from xieshang.db.enums import BUILTIN_ACTIVITY_KINDS
from xieshang.rules import hookspecs
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
        if not distribution and isinstance(plugin, ModuleType):
            distribution = _distribution_of(plugin)
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
        for impl in self.manager.hook.xieshang_standards.get_hookimpls():
            info = self.plugins.get(impl.plugin_name, PluginInfo(impl.plugin_name, "", ""))
            self._collect_standards(impl, info)
        for impl in self.manager.hook.xieshang_activity_kinds.get_hookimpls():
            info = self.plugins.get(impl.plugin_name, PluginInfo(impl.plugin_name, "", ""))
            self._collect_kinds(impl, info)

    def _problem(self, info: PluginInfo, message: str, fix: str) -> None:
        self._collect_problems.append(PluginProblem(info.name, info.distribution, message, fix))

    def _collect_standards(self, impl: pluggy.HookImpl, info: PluginInfo) -> None:
        try:
            declared: list[Any] = list(impl.function() or [])  # type: ignore[call-overload]
        except Exception as exc:
            self._problem(
                info,
                f"xieshang_standards() raised {type(exc).__name__}: {exc}",
                "fix the plugin so the hook returns its list of standards without raising",
            )
            return
        for standard in declared:
            found = problems(standard)
            if found:
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

    def _collect_kinds(self, impl: pluggy.HookImpl, info: PluginInfo) -> None:
        try:
            declared = list(impl.function() or [])  # type: ignore[call-overload]
        except Exception as exc:
            self._problem(
                info,
                f"xieshang_activity_kinds() raised {type(exc).__name__}: {exc}",
                "fix the hook",
            )
            return
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
