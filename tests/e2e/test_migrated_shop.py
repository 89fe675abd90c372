"""A Pyxle 0.9 app of the Vite era, run unchanged: tests/fixtures/migrated/corner_shop.

Vite and @vitejs/plugin-react in its package.json, Tailwind 3 through its own PostCSS config
(ESM, `"type": "module"`), `styling.globalStyles`, a layout with a loader that highlights the
current nav link with `usePathname().startsWith(...)` and pages reading `layoutData`, `Form` and
`useAction` on a dynamic page, `Link`, `Image`, `Head`, route hooks from a root module, a renamed
CSRF cookie, and `pyxle serve --workers 2`.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, PageWatch, Server
from tests.e2e._migrated import computed, served
from tests.e2e._styling import TAILWIND3_MODULES

PAGES = {"/": "Corner Shop | Home", "/products": "Products (3)", "/products/mug": "Enamel mug",
         "/about": "About | Corner Shop"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    into = tmp_path_factory.mktemp("shop")
    # Two workers share state, so the deployment sets the key (pyxle serve refuses otherwise).
    yield from served("corner_shop", into, TAILWIND3_MODULES, "--workers", "2",
                      SHOP_DB=str(into / "corner_shop" / "data" / "shop.sqlite3"), **SHARED_SECRET)


def test_every_page_and_api_route_answers_through_the_route_hooks(shop: Server) -> None:
    for path in PAGES:
        response = httpx.get(shop.url + path)
        assert response.status_code == 200, path
        assert response.headers["x-shop-route"] == path.replace("/mug", "/{id}")  # shop_hooks.py, at the root
    stock = httpx.get(shop.url + "/api/stock")
    assert stock.status_code == 200 and stock.headers["x-shop-route"] == "/api/stock"
    assert stock.json()["products"][0] == {"id": "teapot", "price": 34.0}
    assert httpx.get(shop.url + "/products/sofa").status_code == 404  # LoaderError(status_code=404)
    assert "Traceback" not in shop.output() and "ModuleNotFoundError" not in shop.output()
    assert "pyxle build: 4 pages" in shop.build_output  # type: ignore[attr-defined]


def test_every_page_hydrates_without_warnings_with_tailwind_applied(shop: Server, page: PageWatch) -> None:
    for path, title in PAGES.items():
        page.page.goto(shop.url + path)
        page.hydrated()
        assert page.page.title() == title
        assert computed(page.page, "header", "display") == "flex"
        assert computed(page.page, "header", "padding-top") == "16px"  # p-4
        assert computed(page.page, "footer", "font-size") == "12px"  # text-xs
        # The nav link of the current section (layout: usePathname().startsWith(...)) gets the
        # brand colours of tailwind.config.js, through @apply in styles/tailwind.css.
        current = page.page.locator("nav a[aria-current=page]")
        assert current.count() == 1
        assert current.evaluate("(e) => getComputedStyle(e).color") == "rgb(15, 118, 110)"
        assert current.evaluate("(e) => getComputedStyle(e).backgroundColor") == "rgb(204, 251, 241)"
    assert page.problems() == []


def test_layout_data_reaches_the_page_and_links_navigate_client_side(shop: Server, page: PageWatch) -> None:
    page.page.goto(shop.url + "/")
    page.hydrated()
    assert page.page.get_by_test_id("welcome").inner_text() == "Welcome to Corner Shop"  # layoutData
    logo = page.page.get_by_alt_text("Corner Shop logo")
    assert logo.evaluate("(e) => e.complete && e.naturalWidth") == 64  # Image, from public/
    page.page.evaluate("window.__stayed = true")
    page.page.get_by_role("link", name="See everything").click()
    page.page.wait_for_url("**/products")
    page.page.get_by_role("heading", name="Products").wait_for()
    assert page.page.locator("nav a[aria-current=page]").inner_text() == "Products"
    page.page.get_by_role("link", name="Copper kettle").click()
    page.page.wait_for_url("**/products/kettle")
    page.page.get_by_role("heading", name="Copper kettle").wait_for()
    assert page.page.locator("nav a[aria-current=page]").inner_text() == "Products"  # startsWith("/products")
    assert page.page.evaluate("window.__stayed") is True  # no full page load
    assert page.problems() == []


def test_a_review_form_and_a_like_button_work_through_two_workers(shop: Server, page: PageWatch) -> None:
    page.page.goto(shop.url + "/products/teapot")
    page.hydrated()
    assert page.page.context.cookies()[0]["name"] == "shop-csrf"  # csrf.cookieName
    assert computed(page.page, "button.btn", "background-color") == "rgb(15, 118, 110)"
    for count in (1, 2, 3):  # each call may reach either worker
        page.page.get_by_role("button", name=f"Like ({count - 1})").click()
        page.page.get_by_role("button", name=f"Like ({count})").wait_for()
    page.page.get_by_role("button", name="Post review").click()
    assert page.page.get_by_role("alert").inner_text() == "Please give your name and a review"  # Form's inline error
    page.page.get_by_label("Your name").fill("Ada")
    page.page.get_by_label("Your review").fill("Pours well")
    page.page.get_by_role("button", name="Post review").click()
    page.page.get_by_test_id("reviews").get_by_text("Pours well").wait_for()
    page.page.reload()
    page.hydrated()
    assert page.page.get_by_test_id("reviews").inner_text() == "Ada: Pours well"  # kept in the SQLite file
    assert page.page.get_by_role("button", name="Like (3)").count() == 1
    refused = f"{shop.url}/api/__actions/products/teapot/add_review"  # the ActionError's 400, and the console's note of it
    assert [problem for problem in page.problems() if refused not in problem[1]] == []
    assert ("http", f"400 {refused}") in page.problems()
