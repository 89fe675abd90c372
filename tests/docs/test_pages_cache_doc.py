"""The page cache as docs/pages.md shows it: the envelope stores the page, an action invalidates it."""

from __future__ import annotations

import httpx

from tests.conftest import Server
from tests.docs._blocks import cites, doc_block

BLOG = '''
import json
import os
from pathlib import Path

STORE = Path(os.environ["BLOG_STORE"])


async def latest_posts():
    """Read the posts, counting each read (the test sees how often the loader ran)."""
    with open(STORE.with_suffix(".reads"), "a") as reads:
        reads.write("x")
    return json.loads(STORE.read_text()) if STORE.exists() else []


async def save_post(post):
    STORE.write_text(json.dumps([*json.loads(STORE.read_text() or "[]"), post] if STORE.exists() else [post]))
'''

JSX = '''
import React from 'react'
export default function Blog({ data }) {
  return <ul>{data.posts.map((post) => <li key={post.title}>{post.title}</li>)}</ul>
}
'''


@cites("docs/pages.md", "For `revalidate` seconds the stored page is served as it is (`x-pyxle-cache: HIT`)")
@cites("docs/pages.md", "x-pyxle-invalidate purges the server copy too")
def test_the_envelope_stores_the_page_and_the_action_shown_invalidates_it(make_project, start_server,
                                                                          tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = "from blog import latest_posts, save_post\n\n" + doc_block("docs/pages.md", "cache-envelope") \
        + "\n\n" + doc_block("docs/pages.md", "cache-invalidate") + "\n" + JSX
    project = make_project({"blog.py": BLOG, "pages/blog.pyxl": page}, node=True)
    store = tmp_path / "posts.json"
    server: Server = start_server(project, "serve", env={"BLOG_STORE": str(store)})
    reads = store.with_suffix(".reads")

    with httpx.Client(base_url=server.url) as client:
        first = client.get("/blog")
        assert first.status_code == 200 and first.headers["x-pyxle-cache"] == "MISS"
        again = client.get("/blog")
        assert again.headers["x-pyxle-cache"] == "HIT" and again.text == first.text
        assert reads.read_text() == "x"  # the loader ran once

        refused = client.post("/api/__actions/blog/publish", json={"title": "Hello, cache"})
        assert refused.status_code == 403  # the stored page set no CSRF cookie: the refusal sets it
        token = client.cookies["pyxle-csrf"]
        published = client.post("/api/__actions/blog/publish", json={"title": "Hello, cache"},
                                 headers={"x-csrf-token": token})
        assert published.status_code == 200 and published.json() == {"ok": True}
        assert published.headers["x-pyxle-invalidate"] == "/"

        fresh = client.get("/blog")
        assert fresh.headers["x-pyxle-cache"] == "MISS" and "<li>Hello, cache</li>" in fresh.text
        assert reads.read_text() == "xx"
