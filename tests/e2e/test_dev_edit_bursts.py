"""pyxle dev under the quick saves editors and git make: an edit and its undo a few times over,
50-150 ms apart, and a file saved in two writes with a pause between them. A real `pyxle dev` and
edits on disk; what it serves (the SSR HTML, the page's browser code and its stylesheet) is read
after each burst and must be the files as they are now."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.docs._blocks import cites

COMPONENT = '''
import './counter.css'

export default function Counter() {{
  return <output data-testid="counter">{label}</output>
}}
'''

STYLE = ".counter-box {{ color: rgb({colour}); }}\n"

HOME = '''
import Counter from '../components/Counter.jsx'

export default function Home() {
  return <main className="counter-box"><Counter /></main>
}
'''

VERSIONS = {"A": ("label-alpha", "10, 20, 30"), "B": ("label-bravo", "200, 100, 50")}
WAIT = 15  # seconds for the last save of a burst to be served: generous, for a loaded machine


def write_version(project: Path, version: str) -> None:
    """Save the component and its stylesheet in place (truncate, write), as an editor does."""
    label, colour = VERSIONS[version]
    (project / "components" / "Counter.jsx").write_text(COMPONENT.format(label=label))
    (project / "components" / "counter.css").write_text(STYLE.format(colour=colour))


def served(url: str) -> dict[str, str]:
    """Which version the server renders, and which the browser's code and stylesheet hold."""
    html = httpx.get(url + "/", timeout=10).text
    found = {"ssr": next((v for v, (label, _) in VERSIONS.items() if label in html), "?")}
    assets = [httpx.get(url + link, timeout=10).text for link in set(re.findall(r'/_pyxle/[^"\']+\.(?:js|css)', html))]
    scripts = "".join(a for a in assets if "function" in a)
    styles = "".join(a for a in assets if "function" not in a)
    found["browser"] = "".join(v for v, (label, _) in VERSIONS.items() if label in scripts) or "?"
    found["css"] = "".join(v for v, (_, colour) in VERSIONS.items() if colour in styles) or "?"
    return found


def settles_on(url: str, version: str) -> dict[str, str]:
    """What is served once it shows ``version`` everywhere, or after ``WAIT`` seconds."""
    want = {"ssr": version, "browser": version, "css": version}
    deadline = time.monotonic() + WAIT
    while (now := served(url)) != want and time.monotonic() < deadline:
        time.sleep(0.2)
    return now


@cites("docs/client.md", "An undo (the file written back as it was) and a `git checkout` to another branch and back are\n"
                         "edits like any other")
@cites("docs/client.md", "Saves in quick\nsuccession are applied one at a time, in order, and end on the last one")
def test_an_edit_undone_and_redone_in_quick_succession_ends_on_the_last_save(make_project, start_server) -> None:
    label, colour = VERSIONS["A"]
    project = make_project({"pages/index.pyxl": HOME, "components/Counter.jsx": COMPONENT.format(label=label),
                            "components/counter.css": STYLE.format(colour=colour)}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert settles_on(server.url, "A") == {"ssr": "A", "browser": "A", "css": "A"}

    for burst in range(9):
        gap = (0.05, 0.1, 0.15)[burst % 3]
        last = "B" if burst % 2 == 0 else "A"
        other = "A" if last == "B" else "B"
        for version in (last, other, last, other, last):
            write_version(project, version)
            time.sleep(gap)
        now = settles_on(server.url, last)
        assert now == {"ssr": last, "browser": last, "css": last}, f"burst {burst} ({gap} s apart) ended on {last}"
    assert "Traceback" not in server.output(), server.output()


PAGE = """
export default function Home() {{
  return <main><h1 data-testid="title">{title}</h1></main>
}}
"""


@cites("docs/getting-started.md", "file saved in place is shown once its save has finished, never half-written")
def test_a_save_that_pauses_between_its_writes_is_never_built_half_written(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": PAGE.format(title="title-0")}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page = project / "pages" / "index.pyxl"

    for save, pause in enumerate((0.05, 0.1, 0.15, 0.2, 0.05, 0.1, 0.15, 0.2), start=1):
        text = PAGE.format(title=f"title-{save}")
        half = text.index("title-")  # cut inside the string: the first half alone does not parse
        with page.open("w") as file:  # in place: truncated, then written in two parts
            file.write(text[:half])
            file.flush()
            time.sleep(pause)
            file.write(text[half:])
        deadline = time.monotonic() + WAIT
        while f"title-{save}<" not in httpx.get(server.url + "/", timeout=10).text:
            assert time.monotonic() < deadline, f"save {save} was not served"
            time.sleep(0.1)
        time.sleep(0.5)  # any later rebuild of the same save would have reported by now

    assert "reload failed" not in server.output(), server.output()
