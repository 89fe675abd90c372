"""What the typed-input work left to prove, on real `pyxle dev` / `pyxle serve` processes: the
check of a response against its return annotation (named in dev's 500, logged in production),
and the start-up error (with the install hint) when typed handlers meet an environment without
pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import server_env
from tests.docs._blocks import cites

ORDER_API = '''
from typing_extensions import TypedDict


class Order(TypedDict):
    title: str
    qty: int


async def get(request) -> Order:
    return {"title": "no quantity"}


async def post(request) -> Order:
    return {"title": "complete", "qty": 2}
'''


def test_pyxle_dev_answers_500_naming_the_field_a_response_lacks(make_project, start_server) -> None:
    root = make_project({"pages/api/order.py": ORDER_API})
    server = start_server(root, "dev")
    response = httpx.get(server.url + "/api/order")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "Internal Server Error"
    assert "the response does not match its return annotation" in body["exception"]
    assert "'qty': ['Field required']" in body["exception"]
    server.wait_for_output("the response does not match its return annotation")  # logged with its traceback
    fine = httpx.post(server.url + "/api/order")
    assert (fine.status_code, fine.json()) == (200, {"title": "complete", "qty": 2})


def test_pyxle_serve_checks_the_response_too_answering_a_generic_500(make_project, start_server) -> None:
    root = make_project({"pages/api/order.py": ORDER_API})
    server = start_server(root, "serve")
    response = httpx.get(server.url + "/api/order")
    assert (response.status_code, response.json()) == (500, {"error": "Internal Server Error"})
    server.wait_for_output("'qty': ['Field required']")  # the details are in the log only


def without_pydantic(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import pydantic` fails, as in a venv without the validation extra."""
    blocker = tmp_path / "no-pydantic"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['pydantic'] = None  # import pydantic -> ImportError\n")
    env = server_env()
    env["PYTHONPATH"] = f"{blocker}:{env['PYTHONPATH']}"
    return env


def serve(root: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "serve", str(root), "--host", "127.0.0.1", "--port", "0"],
                          capture_output=True, text=True, env=env, cwd=root, timeout=timeout, check=False)


def refused(root: Path, env: dict[str, str]) -> str:
    """stderr of a `pyxle serve` expected to stop at start-up; one still running after 60 s started."""
    try:
        done = serve(root, env, timeout=60)
    except subprocess.TimeoutExpired as exc:
        started = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        raise AssertionError(f"pyxle serve started instead of stopping:\n{started}") from None
    assert done.returncode == 1, done.stderr
    return done.stderr


def test_a_typed_api_route_without_pydantic_stops_start_up_with_the_install_hint(make_project, tmp_path) -> None:
    root = make_project({"pages/api/items/[id].py": "async def get(request, id: int):\n    return {'id': id}\n"})
    env = without_pydantic(tmp_path)
    blocked = subprocess.run([sys.executable, "-c", "import pydantic"], env=env, capture_output=True, text=True, check=False)
    assert blocked.returncode == 1 and "ModuleNotFoundError" in blocked.stderr  # the environment really lacks it
    done = serve(root, env)
    assert done.returncode == 1
    assert "pages/api/items/[id].py:1: typed parameters need pydantic, which is not installed" in done.stderr
    assert "hint: install the validation extra: pip install 'pyxle-framework[validation]'" in done.stderr


def test_a_typed_action_without_pydantic_stops_start_up_naming_the_page_and_line(make_project, tmp_path) -> None:
    page = '''
from typing_extensions import TypedDict


class Post(TypedDict):
    title: str


@action
async def save(request, body: Post):
    return {"saved": body["title"]}


export default function Page() {
  return <p>new post</p>
}
'''
    root = make_project({"pages/index.pyxl": page})
    done = serve(root, without_pydantic(tmp_path))
    assert done.returncode == 1
    assert "pages/index.pyxl:9: action save(): typed parameters need pydantic, which is not installed" in done.stderr
    assert "hint: install the validation extra: pip install 'pyxle-framework[validation]'" in done.stderr


TYPED_RETURNS = '''
from typing_extensions import TypedDict


class Out(TypedDict):
    a: int


@server
async def load(request) -> Out:
    return {"a": "not-an-int", "secret": "s3cret"}


@action
async def save(request) -> Out:
    return {"a": "not-an-int", "secret": "s3cret"}


export default function Page({ data }) {
  return <p>{JSON.stringify(data)}</p>
}
'''


@cites("docs/validation.md", "Without the extra, so does a loader\nor action whose return annotation names a model")
def test_a_typed_loader_return_without_pydantic_stops_start_up_naming_the_page_and_line(make_project, tmp_path) -> None:
    root = make_project({"pages/index.pyxl": TYPED_RETURNS})
    stderr = refused(root, without_pydantic(tmp_path))
    assert "pages/index.pyxl:9: load() is annotated -> Out, which needs pydantic (it checks and filters what is sent), and pydantic is not installed" in stderr
    assert "hint: install the validation extra: pip install 'pyxle-framework[validation]'" in stderr


@cites("docs/types.md", "Without pydantic (the\n  `validation` extra) such an annotation stops start-up naming the file and line")
def test_a_typed_action_return_without_pydantic_stops_start_up_naming_the_page_and_line(make_project, tmp_path) -> None:
    root = make_project({"pages/index.pyxl": TYPED_RETURNS.replace("@server\nasync def load(request) -> Out:",
                                                                   "@server\nasync def load(request):")})
    stderr = refused(root, without_pydantic(tmp_path))
    assert "pages/index.pyxl:14: save() is annotated -> Out, which needs pydantic (it checks and filters what is sent), and pydantic is not installed" in stderr
    assert "hint: install the validation extra: pip install 'pyxle-framework[validation]'" in stderr


@cites("docs/validation.md", "A module that imports pydantic\nwithout it installed is told to install the extra too.")
def test_a_route_importing_pydantic_without_it_gets_the_extras_hint(make_project, tmp_path) -> None:
    route = "from pydantic import BaseModel\n\n\nclass P(BaseModel):\n    a: int\n\n\nasync def post(request, p: P):\n    return p\n"
    root = make_project({"pages/api/p.py": route})
    done = serve(root, without_pydantic(tmp_path))
    assert done.returncode == 1
    assert "pages/api/p.py:1:" in done.stderr
    assert "install the validation extra: pip install 'pyxle-framework[validation]'" in done.stderr
    assert "pip install the package that provides it" not in done.stderr


def test_an_app_without_typed_handlers_starts_without_pydantic(make_project, start_server, tmp_path) -> None:
    root = make_project({"pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n"})
    server = start_server(root, "serve", env={"PYTHONPATH": without_pydantic(tmp_path)["PYTHONPATH"]})
    assert httpx.get(server.url + "/api/hello").json() == {"hello": "world"}


FORM_PAGE = '''
from pydantic import BaseModel, Field


class Tagged(BaseModel):
    title: str = Field(min_length=3)
    tag: list[str]


@action
async def typed(request, body: Tagged):
    return {"tags": body.tag}


@action
async def untyped(request):
    return {"seen": await request.json()}


export default function Page({ action }) {
  return <p id="kept">{action ? JSON.stringify(action.values) : 'none'}</p>
}
'''


def test_a_key_repeated_in_a_form_is_a_list_for_typed_list_fields_and_re_rendered_values_and_last_for_request_json(
        make_project, start_server) -> None:
    root = make_project({"pages/index.pyxl": FORM_PAGE}, node=True)
    server = start_server(root, "serve")
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        token = client.cookies["pyxle-csrf"]
        form = {"csrf_token": token, "title": "Tagged", "tag": ["a", "b"]}  # tag=a&tag=b
        typed = client.post("/api/__actions/index/typed", data=form, headers={"x-csrf-token": token})
        assert typed.json() == {"ok": True, "tags": ["a", "b"]}
        untyped = client.post("/api/__actions/index/untyped", data=form, headers={"x-csrf-token": token})
        # the last value, as pyxle-framework 0.9's Form (Object.fromEntries) sent it
        assert untyped.json() == {"ok": True, "seen": {"csrf_token": token, "title": "Tagged", "tag": "b"}}
        no_js = client.post("/api/__actions/index/typed", data={**form, "title": "ab"},
                            headers={"accept": "text/html", "referer": server.url + "/"})
    assert no_js.status_code == 422
    assert '<p id="kept">{&quot;title&quot;:&quot;ab&quot;,&quot;tag&quot;:[&quot;a&quot;,&quot;b&quot;]}</p>' in no_js.text
