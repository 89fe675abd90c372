"""The bundler's list of pages under a loading.pyxl, which the router matches a navigation's URL
against (in the server's match order) to show that page's loading state before its data arrives."""

from __future__ import annotations

from pyxle.bundler import _loading_pages, _overlap
from pyxle.routing import build_table


def test_pages_under_a_loading_pyxl_are_listed_with_their_id_in_match_order() -> None:
    table = build_table(["index.pyxl", "about.pyxl", "reports/loading.pyxl", "reports/[id].pyxl",
                         "reports/index.pyxl", "reports/new.pyxl"])
    assert _loading_pages(table) == [[["=reports"], "reports/index"], [["=reports", "=new"], "reports/new"],
                                     [["=reports", "?"], "reports/[id]"]]


def test_a_page_without_one_that_a_url_would_match_first_is_listed_without_an_id() -> None:
    table = build_table(["[team]/loading.pyxl", "[team]/settings.pyxl", "reports/settings.pyxl", "about.pyxl"])
    # /reports/settings is reports/settings.pyxl's (static before a parameter), which has no loading state
    assert _loading_pages(table) == [[["=reports", "=settings"], None], [["?", "=settings"], "[team]/settings"]]


def test_an_app_without_loading_pyxl_lists_nothing() -> None:
    assert _loading_pages(build_table(["index.pyxl", "blog/[slug].pyxl", "docs/[...path].pyxl"])) == []


def test_shapes_overlap_when_some_url_fits_both() -> None:
    assert _overlap(("=a", "?"), ("?", "=b"))
    assert _overlap(("=a", "*"), ("=a", "=b", "=c"))
    assert not _overlap(("=a", "*"), ("=a",))
    assert not _overlap(("=a", "=b"), ("=a", "=c"))
    assert not _overlap(("=a",), ("=a", "?"))
    assert _overlap((), ())
