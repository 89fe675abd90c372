"""File names beyond ASCII: the Turkish capital İ, which Python lowercases to two characters and
esbuild to one (two files bundled as one, silently); one name in its NFC and NFD forms (two routes
for one URL, and an NFD-named page unreachable at the URL a browser sends); a name that is not
UTF-8 (a Python traceback from build, serve and dev); and terminal output with wide characters."""

from __future__ import annotations

import os
import subprocess
import unicodedata

import httpx

from tests.conftest import pyxle_command, server_env, serving
from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import failed, pyxle

HOME = "export default function Home() { return <h1>home</h1> }\n"
CASE_HINT = "    hint: rename one: esbuild reads them as one file, and macOS and Windows cannot hold both"
FORM_HINT = ("    hint: rename one: they look alike, Pyxle routes both at the name's NFC form (the one browsers "
             "send), and macOS cannot hold both")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@cites("docs/compiler.md", "The comparison is esbuild's, character by character (`İstanbul.pyxl` and\n`istanbul.pyxl` clash)")
def test_names_that_differ_only_in_a_turkish_capital_i_are_refused_by_check_and_build(make_project) -> None:
    """check and build passed, and /İstanbul served istanbul.pyxl's page: Python lowercases İ to
    "i̇" (two characters), esbuild to "i"."""
    project = make_project({"pages/index.pyxl": HOME,
                            "pages/İstanbul.pyxl": "export default function P() { return <p>page İstanbul</p> }\n",
                            "pages/istanbul.pyxl": "export default function P() { return <p>page istanbul</p> }\n",
                            "pages/a.pyxl": "import K from '../components/İkon.jsx'\nexport default function P() { return <K /> }\n",
                            "components/İkon.jsx": "export default function K() { return <b>İkon</b> }\n",
                            "components/ikon.jsx": "export default function K() { return <b>ikon</b> }\n"}, node=True)
    errors = [f"components/ikon.jsx and components/İkon.jsx: two files whose names differ only in case\n{CASE_HINT}",
              f"pages/istanbul.pyxl and pages/İstanbul.pyxl: two files whose names differ only in case\n{CASE_HINT}"]
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == "".join(f"{error}\n\n" for error in errors), check.stdout
    assert failed(pyxle(project, "build")) == "pyxle: " + "\n".join(errors) + "\n"


@cites("docs/compiler.md", "Two files whose names are one name in two Unicode forms\n(`café.pyxl` written as NFC "
       "and as NFD) are refused the same way")
def test_one_name_in_its_nfc_and_nfd_forms_is_refused_by_check_and_build(make_project) -> None:
    """Both passed check and build, and `pyxle routes` listed /café twice."""
    project = make_project({"pages/index.pyxl": HOME,
                            "pages/café.pyxl": "export default function P() { return <p>nfc</p> }\n",
                            nfd("pages/café.pyxl"): "export default function P() { return <p>nfd</p> }\n",
                            "components/Menü.jsx": "export default function M() { return <b>nfc</b> }\n",
                            nfd("components/Menü.jsx"): "export default function M() { return <b>nfd</b> }\n"},
                           node=True)
    pages = f"{nfd('pages/café.pyxl')} and pages/café.pyxl: two files whose names differ only in Unicode form (NFD and NFC)\n{FORM_HINT}"
    components = (f"{nfd('components/Menü.jsx')} and components/Menü.jsx: two files whose names differ only in "
                  f"Unicode form (NFD and NFC)\n{FORM_HINT}")
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{components}\n\n{pages}\n\n", check.stdout
    assert pages in failed(pyxle(project, "build"))
    assert pages in failed(pyxle(project, "routes"))


@cites("docs/api-routes.md", "A file's URL is the NFC form of its name")
def test_a_page_named_in_nfd_answers_at_the_url_a_browser_sends_for_its_name(make_project) -> None:
    """/caf%C3%A9 (café as typed, or in <Link href="/café">) was a 404, only /cafe%CC%81 answered."""
    project = make_project({"pages/index.pyxl": HOME,
                            nfd("pages/café.pyxl"): "export default function P() { return <p>the café page</p> }\n",
                            nfd("pages/blog/[slug].pyxl"): "export default function P() { return <p>post</p> }\n"},
                           node=True)
    routes = pyxle(project, "routes")
    assert routes.returncode == 0 and "/café " in routes.stdout, routes.stdout + routes.stderr
    with serving(project) as server:
        for path in ("/caf%C3%A9", "/cafe%CC%81", "/café"):
            answer = httpx.get(server.url + path)
            assert answer.status_code == 200 and "the café page" in answer.text, (path, answer.status_code)
        assert httpx.get(server.url + "/caf").status_code == 404


LATIN1_PAGE = b"pages/caf\xe9.pyxl"


@cites("docs/pages.md", "A file whose name is not UTF-8")
def test_a_file_name_that_is_not_utf8_is_one_error_naming_it_from_check_build_serve_and_dev(make_project,
                                                                                           start_server) -> None:
    """build, serve and dev ended with a UnicodeEncodeError traceback (in inputs_hash), and check
    printed an internal error of esbuild's."""
    project = make_project({"pages/index.pyxl": HOME, "components/Card.jsx": HOME}, node=True)
    with open(os.fsencode(project) + b"/" + LATIN1_PAGE, "w") as file:
        file.write("export default function P() { return <p>latin1</p> }\n")
    error = ("pages/caf\\xe9.pyxl: the file name is not UTF-8\n"
             "    hint: rename it: Pyxle reads file names as UTF-8 (an archive made on Windows can hold Latin-1 names)")
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{error}\n\n", check.stdout
    assert failed(pyxle(project, "build")) == f"pyxle: invalid routes:\n  {error}\n"
    for command in ("serve", "dev"):
        server = start_server(project, command, ready=False)
        assert server.wait_exit() == 1
        out = server.output()
        assert "Traceback" not in out and error in out, out
    os.remove(os.fsencode(project) + b"/" + LATIN1_PAGE)
    with open(os.fsencode(project) + b"/components/K\xf6.jsx", "wb") as file:  # imported by no page
        file.write(b"export default function K() { return <b>k</b> }\n")
    component = error.replace("pages/caf\\xe9.pyxl", "components/K\\xf6.jsx")
    assert failed(pyxle(project, "build")) == f"pyxle: {component}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{component}\n\n", check.stdout


def width_aligned(lines: list[str], column: str) -> set[int]:
    """The display column at which ``column``'s cells start, on each line that has one."""
    starts = set()
    for line in lines:
        at = line.find(column)
        if at >= 0:
            starts.add(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:at]))
    return starts


def test_routes_and_build_align_wide_names_and_routes_survives_a_cp1252_stdout(make_project) -> None:
    """Rows with CJK names were pushed right by a column per wide character; with stdout in cp1252
    (Windows, piped to a file) `pyxle routes` ended with a UnicodeEncodeError traceback."""
    project = make_project({"pages/index.pyxl": HOME, "pages/ブログ/[slug].pyxl": HOME, "pages/about.pyxl": HOME},
                           node=True)
    routes = pyxle(project, "routes")
    assert routes.returncode == 0, routes.stderr
    assert len(width_aligned(routes.stdout.splitlines(), "pages/")) == 1, routes.stdout
    assert len(width_aligned(routes.stdout.splitlines(), "GET")) == 1, routes.stdout
    build = pyxle(project, "build")
    assert build.returncode == 0, build.stderr
    assert len(width_aligned(build.stdout.splitlines(), "kB ")) == 1, build.stdout
    cp1252 = subprocess.run([*pyxle_command(), "routes", str(project)], cwd=project, capture_output=True,
                            env=server_env(PYTHONIOENCODING="cp1252"), timeout=60, check=False)
    assert cp1252.returncode == 0 and b"Traceback" not in cp1252.stderr, cp1252.stderr
    assert b"/\\u30d6\\u30ed\\u30b0/{slug}" in cp1252.stdout, cp1252.stdout
