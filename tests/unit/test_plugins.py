"""pyxle.plugins: specs, the service registry, loading, and start-up/shutdown order (no server)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyxle.plugins import (
    PluginContext,
    PluginError,
    PluginResolutionError,
    PluginServiceError,
    PluginSpec,
    PyxlePlugin,
    active_context,
    load_plugins,
    plugin,
    run_shutdown,
    run_startup,
    set_active_context,
)

PLUGINS = '''
from pyxle.plugins import PyxlePlugin

log = []

class First(PyxlePlugin):
    name = "first"
    async def on_startup(self, ctx):
        log.append(("start", self.name, dict(self.settings)))
        ctx.register("first.value", 1)
    async def on_shutdown(self, ctx):
        log.append(("stop", self.name))

class Second(PyxlePlugin):
    name = "second"
    def on_startup(self, ctx):  # plain def works too
        log.append(("start", self.name, ctx.require("first.value")))
    async def on_shutdown(self, ctx):
        log.append(("stop", self.name))
        raise RuntimeError("second cannot stop cleanly")

class Broken(PyxlePlugin):
    name = "broken"
    async def on_startup(self, ctx):
        raise ConnectionError("database is down")

instance = First()
not_a_plugin = 42
plugin = First
'''


@pytest.fixture
def plugins_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    (tmp_path / "my_plugins.py").write_text(textwrap.dedent(PLUGINS))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_plugins", None)
    import my_plugins  # type: ignore[import-not-found]

    yield my_plugins
    sys.modules.pop("my_plugins", None)
    set_active_context(None)


def spec(attribute: str, **settings: object) -> PluginSpec:
    return PluginSpec(name=attribute.lower(), module="my_plugins", attribute=attribute, settings=settings)


# -- specs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("pyxle-db", PluginSpec("pyxle-db", "pyxle_db.plugin")),
        ({"name": "pyxle-auth", "settings": {"strict": False}},
         PluginSpec("pyxle-auth", "pyxle_auth.plugin", "plugin", {"strict": False})),
        ({"name": "mine", "module": "app.plugins", "attribute": "Mine"}, PluginSpec("mine", "app.plugins", "Mine")),
        ({"name": "x", "settings": None}, PluginSpec("x", "x.plugin")),
    ],
)
def test_a_spec_is_read_from_either_config_form(entry: object, expected: PluginSpec) -> None:
    assert PluginSpec.from_config_entry(entry) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("entry", "message"), [
    ("", 'a plugin entry needs a non-empty "name"'),
    ({"settings": {}}, 'a plugin entry needs a non-empty "name"'),
    (3, "a plugin entry is a name or an object, not int"),
    ({"name": "x", "settings": [1]}, "plugin 'x': settings must be an object, not list"),
])
def test_a_malformed_entry_is_a_plugin_error(entry: object, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        PluginSpec.from_config_entry(entry)  # type: ignore[arg-type]


# -- the service registry -----------------------------------------------------------------------


def test_service_names_are_sorted_as_in_pyxle_090() -> None:
    ctx = PluginContext()
    for name in ("trace.a", "db.url", "auth.service", "db.database"):
        ctx.register(name, name)
    assert ctx.names() == ("auth.service", "db.database", "db.url", "trace.a")


def test_services_are_registered_once_and_looked_up_by_name() -> None:
    ctx = PluginContext(settings="the settings")
    ctx.register("db.database", "db")
    assert ctx.get("db.database") == "db" and ctx.require("db.database") == "db"
    assert ctx.has("db.database") and not ctx.has("nope")
    assert ctx.get("nope") is None and ctx.get("nope", 7) == 7
    with pytest.raises(PluginServiceError, match="'db.database' is already registered; use replace"):
        ctx.register("db.database", "other")
    ctx.replace("db.database", "other")
    ctx.replace("new", 1)  # replace also adds
    assert ctx.names() == ("db.database", "new") and ctx.settings == "the settings"
    with pytest.raises(PluginServiceError, match=r"no service 'auth.service' is registered \(registered: db.database, new\)"):
        ctx.require("auth.service")
    for bad in ("", None):
        with pytest.raises(PluginServiceError, match="non-empty string"):
            ctx.register(bad, 1)  # type: ignore[arg-type]


def test_plugin_reads_the_active_context_and_says_when_there_is_none() -> None:
    set_active_context(None)
    with pytest.raises(PluginServiceError, match="no plugins are running in this process"):
        plugin("db.database", None)
    ctx = PluginContext()
    ctx.register("db.database", "db")
    set_active_context(ctx)
    try:
        assert active_context() is ctx and plugin("db.database") == "db" and plugin("other", "fallback") == "fallback"
        with pytest.raises(PluginServiceError, match="no service 'other'"):
            plugin("other")
    finally:
        set_active_context(None)


# -- loading ------------------------------------------------------------------------------------


def test_a_plugin_class_is_instantiated_and_an_instance_used_with_its_settings(plugins_module: object) -> None:
    first, same = load_plugins([spec("First", url="sqlite://"), spec("instance", a=1)])
    assert type(first).__name__ == "First" and first.settings == {"url": "sqlite://"}
    assert same is plugins_module.instance and same.settings == {"a": 1}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("bad", "message"), [
    (PluginSpec("pyxle-nope", "pyxle_nope.plugin"),
     r"plugin 'pyxle-nope': cannot import pyxle_nope.plugin: ModuleNotFoundError: .* \(is it installed\? pip install pyxle-nope\)"),
    (PluginSpec("gone", "my_plugins", "Missing"), "plugin 'gone': my_plugins has no attribute 'Missing'"),
    (PluginSpec("num", "my_plugins", "not_a_plugin"), "plugin 'num': my_plugins.not_a_plugin is a int, not a PyxlePlugin"),
])
def test_a_plugin_that_cannot_be_loaded_is_named(plugins_module: object, bad: PluginSpec, message: str) -> None:
    with pytest.raises(PluginResolutionError, match=message):
        load_plugins([bad])


def test_the_base_class_does_nothing_by_default() -> None:
    base = PyxlePlugin()
    assert (base.name, base.version, tuple(base.middleware())) == ("unnamed", "0.0.0", ())
    asyncio.run(base.on_startup(PluginContext()))
    asyncio.run(base.on_shutdown(PluginContext()))


# -- start-up and shutdown order ----------------------------------------------------------------


def test_plugins_start_in_order_and_stop_in_reverse_even_when_one_fails_to_stop(plugins_module: object) -> None:
    plugins = load_plugins([spec("First", k=1), spec("Second")])
    ctx = PluginContext()
    asyncio.run(run_startup(plugins, ctx))
    asyncio.run(run_shutdown(plugins, ctx))
    assert plugins_module.log == [  # type: ignore[attr-defined]
        ("start", "first", {"k": 1}), ("start", "second", 1), ("stop", "second"), ("stop", "first")]


def test_a_plugin_that_fails_to_start_is_named_and_the_started_ones_are_stopped(plugins_module: object) -> None:
    plugins = load_plugins([spec("First"), spec("Broken"), spec("Second")])
    with pytest.raises(PluginError, match="plugin 'broken' failed to start: ConnectionError: database is down"):
        asyncio.run(run_startup(plugins, PluginContext()))
    assert plugins_module.log == [("start", "first", {}), ("stop", "first")]  # type: ignore[attr-defined]


def test_a_failed_start_leaves_no_service_registered(plugins_module: object) -> None:
    """The services of the plugins it stopped again were closed: looking them up must fail, not
    hand out a closed database."""
    ctx = PluginContext()
    with pytest.raises(PluginError):
        asyncio.run(run_startup(load_plugins([spec("First"), spec("Broken")]), ctx))
    assert ctx.names() == ()


def test_plugins_that_failed_to_start_are_not_stopped(plugins_module: object) -> None:
    from pyxle.plugins import load

    plugins = load([{"name": "first", "module": "my_plugins", "attribute": "First"},
                    {"name": "broken", "module": "my_plugins", "attribute": "Broken"}], None)
    with pytest.raises(PluginError):
        asyncio.run(plugins.start())
    asyncio.run(plugins.stop())
    assert plugins_module.log == [("start", "first", {}), ("stop", "first")]  # type: ignore[attr-defined]


# -- what a missing module's error says ----------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "project_plugins").mkdir()
    (tmp_path / "project_plugins" / "needs_lib.py").write_text("import pyxle_nonexistent_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name.startswith("project_plugins")]:
        del sys.modules[name]


@pytest.mark.parametrize(("module", "hint"), [
    ("project_plugins.needs_lib", "(is it installed? pip install pyxle_nonexistent_dependency)"),
    ("project_plugins.typo", "(no file {root}/project_plugins/typo.py)"),
    ("project_plugin", "(no file project_plugin.py in the project, nor an installed package project_plugin)"),
])
def test_a_missing_module_is_named_with_what_to_do(project: Path, module: str, hint: str) -> None:
    with pytest.raises(PluginResolutionError) as caught:
        load_plugins([PluginSpec.from_config_entry({"name": "mine", "module": module})])
    assert str(caught.value).endswith(hint.format(root=project)), caught.value
    assert "pip install mine" not in str(caught.value)
