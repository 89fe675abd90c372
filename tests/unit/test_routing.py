"""The pure path rules: file -> URL pattern, precedence, conflicts."""

from __future__ import annotations

import random
from pathlib import PurePosixPath as P

import pytest

from pyxle.routing import RoutingError, build_table, route_for_file, starlette_patterns


@pytest.mark.parametrize("file,pattern,params", [
    ("api/hello.py", "/api/hello", ()),
    ("api/index.py", "/api", ()),
    ("api/users/index.py", "/api/users", ()),
    ("api/users/[id].py", "/api/users/{id}", ("id",)),
    ("api/users/[user-id].py", "/api/users/{user_id}", ("user_id",)),
    ("api/files/[...path].py", "/api/files/{path...}", ("path",)),
    ("api/docs/[[...slug]].py", "/api/docs/{slug...?}", ("slug",)),
    ("api/(admin)/(x)/stats.py", "/api/stats", ()),
    ("api/[org]/repos/[repo]/index.py", "/api/{org}/repos/{repo}", ("org", "repo")),
    ("index.pyxl", "/", ()),
    ("blog/[slug].pyxl", "/blog/{slug}", ("slug",)),
])
def test_file_to_pattern(file: str, pattern: str, params: tuple[str, ...]) -> None:
    spec = route_for_file(file, "page" if file.endswith(".pyxl") else "api")
    assert spec is not None
    assert spec.pattern == pattern
    assert spec.params == params


@pytest.mark.parametrize("file", ["api/_db.py", "api/_lib/x.py", "api/__init__.py", "_drafts/x.pyxl", "layout.pyxl",
                                  "blog/error.pyxl", "not-found.pyxl", "template.pyxl"])
def test_private_and_special_files_are_not_routes(file: str) -> None:
    assert route_for_file(file, "page" if file.endswith(".pyxl") else "api") is None


@pytest.mark.parametrize("file,path,params", [
    ("api/files/[...path].py", "/api/files/a/b/c", {"path": "a/b/c"}),
    ("api/docs/[[...slug]].py", "/api/docs", {"slug": None}),
    ("api/docs/[[...slug]].py", "/api/docs/a/b", {"slug": "a/b"}),
    ("[[...all]].pyxl", "/", {"all": ""}),
    ("[[...all]].pyxl", "/x/y", {"all": "x/y"}),
])
def test_dynamic_matching(file: str, path: str, params: dict) -> None:
    spec = route_for_file(file, "page" if file.endswith(".pyxl") else "api")
    assert spec is not None and spec.regex is not None
    m = spec.regex.match(path)
    assert m is not None and m.groupdict() == params


def test_catch_all_does_not_match_its_folder() -> None:
    spec = route_for_file("api/files/[...path].py", "api")
    assert spec is not None and spec.regex is not None
    assert spec.regex.match("/api/files") is None


def test_precedence_static_then_dynamic_then_catch_all_is_deterministic() -> None:
    files = ["api/[...rest].py", "api/users/[id].py", "api/users/me.py", "api/[[...opt]]/x.py"
             if False else "api/users/[...path].py", "api/[section]/list.py", "api/users/list.py"]
    orders = set()
    for seed in range(10):
        shuffled = files[:]
        random.Random(seed).shuffle(shuffled)
        orders.add(tuple(r.pattern for r in build_table(shuffled).routes))
    assert len(orders) == 1
    order = list(orders.pop())
    assert order.index("/api/users/me") < order.index("/api/users/{id}") < order.index("/api/users/{path...}")
    assert order.index("/api/users/list") < order.index("/api/{section}/list") < order.index("/api/{rest...}")


@pytest.mark.parametrize("files,message", [
    (["api/users.py", "api/users/index.py"], "pages/api/users.py and pages/api/users/index.py both map to /api/users"),
    (["api/x/[a].py", "api/x/[b].py"], "both map to /api/x/{param}"),
    (["api/d.py", "api/d/[[...s]].py"], "pages/api/d.py and pages/api/d/[[...s]].py both map to /api/d"),
    (["api/(a)/x.py", "api/(b)/x.py"], "pages/api/(a)/x.py and pages/api/(b)/x.py both map to /api/x"),
    (["api/f/[...a].py", "api/f/[[...b]].py"], "both map to /api/f/{rest...}"),
])
def test_conflicts_name_both_files(files: list[str], message: str) -> None:
    with pytest.raises(RoutingError) as info:
        build_table(files)
    assert message in str(info.value)


@pytest.mark.parametrize("file,message", [
    ("api/[...a]/x.py", "a catch-all segment must be the last part of the path"),
    ("api/[a]/[a].py", "parameter 'a' appears twice"),
    ("api/[1x].py", "[1x] is not a valid parameter name"),
    ("api/[a.py", "malformed segment"),
    ("api/page.pyxl", "pages/api/ holds only API routes"),
])
def test_invalid_paths(file: str, message: str) -> None:
    with pytest.raises(RoutingError) as info:
        build_table([file])
    assert message in str(info.value)


def test_loading_files_wrap_what_their_folder_holds_inside_its_layouts() -> None:
    table = build_table(["layout.pyxl", "loading.pyxl", "index.pyxl", "shop/layout.pyxl", "shop/template.pyxl",
                         "shop/loading.pyxl", "shop/cart/index.pyxl", "blog/index.pyxl"])
    # the root's loading sits inside the root layout (1 wrapper); shop's inside root + shop layout + shop template (3)
    assert table.loading(P("shop/cart/index.pyxl")) == [(1, P("loading.pyxl")), (3, P("shop/loading.pyxl"))]
    assert table.loading(P("blog/index.pyxl")) == [(1, P("loading.pyxl"))]
    assert table.loading(P("index.pyxl")) == [(1, P("loading.pyxl"))]
    assert build_table(["index.pyxl"]).loading(P("index.pyxl")) == []


@pytest.mark.parametrize("file,kind,patterns", [
    ("p/[id].pyxl", "page", ("/p/{id}", None)),
    ("index.pyxl", "page", ("/", None)),
    ("docs/[...slug].pyxl", "page", ("/docs/{slug:path}", None)),
    ("shop/[[...slug]].pyxl", "page", ("/shop/{slug:path}", "/shop")),
    ("[[...slug]].pyxl", "page", ("/{slug:path}", "/")),
    ("api/u/[user-id]/[[...rest]].py", "api", ("/api/u/{user_id}/{rest:path}", "/api/u/{user_id}")),
])
def test_hooks_read_the_pattern_as_pyxle_0_9_wrote_it(file: str, kind, patterns) -> None:  # type: ignore[no-untyped-def]
    """0.9 (Starlette) wrote a catch-all as ``{name:path}`` and made an optional one two routes."""
    spec = route_for_file(file, kind)
    assert spec is not None and starlette_patterns(spec) == patterns


def test_a_standalone_layout_or_template_starts_the_chain_of_the_pages_under_its_folder() -> None:
    files = ["layout.pyxl", "template.pyxl", "loading.pyxl", "index.pyxl", "status/layout.pyxl", "status/template.pyxl",
             "status/index.pyxl", "status/deep/layout.pyxl", "status/deep/index.pyxl", "print/layout.pyxl",
             "print/template.pyxl", "print/loading.pyxl", "print/invoice.pyxl"]
    table = build_table(files).with_standalone([P("status/layout.pyxl"), P("print/template.pyxl")])
    assert table.chain(P("index.pyxl")) == [("layout", P("layout.pyxl")), ("template", P("template.pyxl"))]
    assert table.chain(P("status/deep/index.pyxl")) == [
        ("layout", P("status/layout.pyxl")), ("template", P("status/template.pyxl")), ("layout", P("status/deep/layout.pyxl"))]
    # a STANDALONE template: its folder's layout still wraps it; the root's loading.pyxl goes with the root's wrappers
    assert table.chain(P("print/invoice.pyxl")) == [("layout", P("print/layout.pyxl")), ("template", P("print/template.pyxl"))]
    assert table.loading(P("print/invoice.pyxl")) == [(2, P("print/loading.pyxl"))]
    assert build_table(files).chain(P("print/invoice.pyxl"))[0] == ("layout", P("layout.pyxl"))  # without it


def test_the_error_pages_of_a_standalone_folders_pages_are_looked_up_no_higher_than_it() -> None:
    files = ["layout.pyxl", "error.pyxl", "not-found.pyxl", "boom.pyxl", "status/layout.pyxl", "status/boom.pyxl",
             "ops/layout.pyxl", "ops/error.pyxl", "ops/deep/boom.pyxl", "plain/layout.pyxl", "plain/boom.pyxl"]
    table = build_table(files).with_standalone([P("status/layout.pyxl"), P("ops/layout.pyxl")])
    assert table.nearest(P("status/boom.pyxl"), "error") is None  # not the root's: the built-in page
    assert table.nearest(P("status/nope/x.pyxl"), "not-found") is None  # an unknown URL under the folder
    assert table.nearest(P("ops/deep/boom.pyxl"), "error") == P("ops/error.pyxl")
    assert table.nearest(P("ops/deep/boom.pyxl"), "not-found") is None
    assert table.nearest(P("plain/boom.pyxl"), "error") == P("error.pyxl")  # not standalone: up to the root
    assert table.nearest(P("boom.pyxl"), "not-found") == P("not-found.pyxl")
    assert build_table(files).nearest(P("status/boom.pyxl"), "error") == P("error.pyxl")  # without STANDALONE
