"""Same-page `#hash` entries and `Form` posts in Chromium against a real `pyxle serve`: Back and
Forward across a hash link restore the scroll as the browser does natively; a `Form` sends once
while its action is pending; without JavaScript its file inputs post files; and an action that
fails a plain form post shows the error page inside layouts that have their data."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
@server
async def load(request):
    return {"site": "Hashsite"}

import { Head } from 'pyxle/client'

export default function Layout({ data, children }) {
  return (
    <div>
      <Head><title>{data.site}</title></Head>
      <header id="site">{data.site}</header>
      {children}
    </div>
  )
}
"""

HASHY = """
import { Link } from 'pyxle/client'

export default function Hashy() {
  return (
    <main>
      <h1>Hashy</h1>
      <div style={{ height: 1000 }}>above the link</div>
      <Link href="/hashy#bottom">To the bottom</Link>
      <div style={{ height: 3000 }}>tall</div>
      <p id="bottom">bottom</p>
      <div style={{ height: 2000 }}>tall too</div>
    </main>
  )
}
"""

SLOW = """
import asyncio

CALLS = {"n": 0}

@action
async def save(request):
    CALLS["n"] += 1
    await asyncio.sleep(2)  # pending long enough that a loaded machine's second Enter still lands inside it
    return {"calls": CALLS["n"]}

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Slow() {
  const [calls, setCalls] = useState('')
  return (
    <main>
      <Form action="save" resetOnSuccess={false} onSuccess={(r) => setCalls(String(r.calls))}>
        <input name="title" aria-label="Title" defaultValue="hello" />
      </Form>
      <p data-testid="calls">{calls}</p>
    </main>
  )
}
"""

UPLOAD = """
LAST = {"text": ""}

@server
async def load(request):
    return LAST

@action
async def upload(request):
    form = await request.form()
    data = await form["file"].read()
    LAST["text"] = f"{form['file'].filename}: {data.decode()} ({form['note']})"
    return {"text": LAST["text"]}

@action
async def note(request):
    form = await request.form()
    LAST["text"] = f"note of {len(form['note'])} characters"
    return {"text": LAST["text"]}

@action
async def explode(request):
    raise RuntimeError("the action failed")

import { Form } from 'pyxle/client'

export default function Upload({ data }) {
  return (
    <main>
      <Form action="upload">
        <input type="file" name="file" aria-label="File" />
        <input name="note" aria-label="Note" defaultValue="a note" />
        <button type="submit">Upload</button>
      </Form>
      <Form action="explode"><button type="submit">Explode</button></Form>
      <p data-testid="last">{data.text}</p>
    </main>
  )
}
"""

ERROR = """
export default function ErrorPage({ data }) {
  return <p id="error">error {data.statusCode}</p>
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/layout.pyxl": LAYOUT, "pages/hashy.pyxl": HASHY, "pages/slow.pyxl": SLOW,
             "pages/upload.pyxl": UPLOAD, "pages/error.pyxl": ERROR}
    with serving(write_project(tmp_path_factory.mktemp("hash-forms") / "app", files), "--ssr-workers", "1",
                 env={"PYXLE_SECRET_KEY": "h" * 40}) as server:
        yield server


@pytest.fixture
def no_js(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def open_page(app: Server, page: PageWatch, path: str) -> None:
    page.page.goto(app.url + path)
    page.hydrated()


def scrolled_to(page: PageWatch, low: int, high: int) -> int:
    """scrollY once it is within [low, high], or as it is after 3 s (so a failure shows where it is)."""
    return page.page.evaluate("""([low, high]) => new Promise((done) => {
      const start = performance.now()
      const check = () => (scrollY >= low && scrollY <= high) || performance.now() - start > 3000
        ? done(Math.round(scrollY)) : requestAnimationFrame(check)
      check()
    })""", [low, high])


@cites("docs/client.md", "same-page\n`#hash` links behave natively")
@cites("docs/client.md", "and Back and forward between the entries a same-page `#hash` link added, as the browser "
       "does without JavaScript")
def test_back_after_a_same_page_hash_link_restores_the_scroll_the_page_had(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/hashy")
    page.page.evaluate("scrollTo(0, 700)")
    page.page.get_by_role("link", name="To the bottom").click()
    page.page.wait_for_url(app.url + "/hashy#bottom")
    anchor = page.page.evaluate("Math.round(document.getElementById('bottom').getBoundingClientRect().top + scrollY)")
    assert abs(scrolled_to(page, anchor - 20, anchor + 20) - anchor) <= 20
    page.page.go_back()
    page.page.wait_for_url(app.url + "/hashy")
    assert scrolled_to(page, 699, 701) == 700
    page.page.go_forward()
    page.page.wait_for_url(app.url + "/hashy#bottom")
    assert abs(scrolled_to(page, anchor - 20, anchor + 20) - anchor) <= 20
    page.page.go_back()
    assert scrolled_to(page, 699, 701) == 700
    assert page.problems() == []


def test_a_hash_entry_keeps_the_scroll_the_user_left_it_at(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/hashy")
    page.page.evaluate("scrollTo(0, 700)")
    page.page.get_by_role("link", name="To the bottom").click()
    page.page.wait_for_url(app.url + "/hashy#bottom")
    page.page.wait_for_timeout(200)
    page.page.evaluate("scrollTo(0, 1234)")
    page.page.go_back()
    assert scrolled_to(page, 699, 701) == 700
    page.page.go_forward()
    assert scrolled_to(page, 1233, 1235) == 1234
    assert page.problems() == []


@cites("docs/client.md", "another submit (Enter in a field, `requestSubmit()`) is ignored, so the action runs once")
def test_enter_again_while_a_form_is_pending_sends_nothing_more(app: Server, page: PageWatch) -> None:
    posts: list[str] = []
    page.page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    open_page(app, page, "/slow")
    page.page.get_by_label("Title").press("Enter")
    page.page.wait_for_timeout(100)
    page.page.get_by_label("Title").press("Enter")
    page.page.get_by_test_id("calls").filter(has_text=re.compile(r"\d")).wait_for(timeout=10000)
    page.page.wait_for_timeout(1000)  # a second post, if one had been sent, would be on record by now
    assert len(posts) == 1
    calls = int(page.page.get_by_test_id("calls").inner_text())
    page.page.evaluate("document.querySelector('form').requestSubmit(); document.querySelector('form').requestSubmit()")
    page.page.get_by_test_id("calls").filter(has_text=str(calls + 1)).wait_for(timeout=10000)
    page.page.wait_for_timeout(1000)
    assert len(posts) == 2 and page.page.get_by_test_id("calls").inner_text() == str(calls + 1)
    page.page.get_by_label("Title").press("Enter")  # once the action is done, the form sends again
    page.page.get_by_test_id("calls").filter(has_text=str(calls + 2)).wait_for(timeout=10000)
    assert page.problems() == []


@cites("docs/client.md", "**Without JavaScript**, or before hydration, it is a plain `<form method=\"post\">`")
@cites("docs/client.md", "sent as `multipart/form-data` so that its files reach the action as files")
def test_a_form_without_javascript_posts_its_file_to_the_action(app: Server, no_js) -> None:  # type: ignore[no-untyped-def]
    no_js.goto(app.url + "/upload")
    no_js.get_by_label("File").set_input_files(files=[{"name": "notes.txt", "mimeType": "text/plain",
                                                       "buffer": b"plain words"}])
    with no_js.expect_navigation() as landed:
        no_js.get_by_role("button", name="Upload").click()
    assert landed.value.status == 200 and no_js.url == app.url + "/upload"
    assert no_js.get_by_test_id("last").inner_text() == "notes.txt: plain words (a note)"


@cites("docs/security.md", "a form with a file upload of any size passes when the field comes before the file")
def test_a_plain_form_post_with_a_file_over_a_mebibyte_passes_csrf_with_its_token_field_first(app: Server) -> None:
    """What the browser sends for `Form` without JavaScript: the hidden token field first, then the
    file. The token is found in the first MiB, and the whole file reaches the action."""
    with httpx.Client(base_url=app.url) as client:
        token = client.get("/upload").cookies["pyxle-csrf"]
        big = b"a" * (3 * 1024 * 1024)
        posted = client.post("/api/__actions/upload/upload", data={"csrf_token": token, "note": "big"},
                             files={"file": ("big.txt", big, "text/plain")}, headers={"accept": "text/html"})
        assert posted.status_code == 303, posted.text[:200]
        text = client.get("/upload", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]["text"]
    assert text == f"big.txt: {big.decode()} (big)", text[:200]


@cites("docs/security.md", "An urlencoded form is read for it whole (up to `maxBodySize`")
def test_a_plain_urlencoded_form_over_a_mebibyte_passes_csrf_with_its_token_field_last(app: Server) -> None:
    """A hand-written `<form method="post">` (urlencoded) with a long textarea before its token
    field: the token was looked for in the first MiB only, and the post was refused (403)."""
    with httpx.Client(base_url=app.url) as client:
        token = client.get("/upload").cookies["pyxle-csrf"]
        long_text = "b" * (2 * 1024 * 1024)
        posted = client.post("/api/__actions/upload/note", data={"note": long_text, "csrf_token": token},
                             headers={"accept": "text/html"})
        assert posted.status_code == 303, posted.text[:200]
        text = client.get("/upload", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]["text"]
    assert text == f"note of {len(long_text)} characters"


def test_a_hydrated_form_posts_its_file_to_the_action(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/upload")
    page.page.get_by_label("File").set_input_files(files=[{"name": "js.txt", "mimeType": "text/plain",
                                                          "buffer": b"from fetch"}])
    with page.page.expect_response(lambda r: r.request.method == "POST") as answered:
        page.page.get_by_role("button", name="Upload").click()
    assert answered.value.json() == {"ok": True, "text": "js.txt: from fetch (a note)"}
    assert page.problems() == []


def test_an_action_failing_a_plain_form_post_shows_the_error_page_inside_layouts_with_their_data(
        app: Server, no_js) -> None:  # type: ignore[no-untyped-def]
    no_js.goto(app.url + "/upload")
    with no_js.expect_navigation() as landed:
        no_js.get_by_role("button", name="Explode").click()
    assert landed.value.status == 500
    assert no_js.locator("#error").inner_text() == "error 500"
    assert no_js.locator("#site").inner_text() == "Hashsite" and no_js.title() == "Hashsite"
