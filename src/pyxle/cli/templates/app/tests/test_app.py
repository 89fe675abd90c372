"""Run with `pytest` (`pip install "pyxle-framework[testing]"` brings it): pyxle_client (from
pyxle.testing's pytest plugin) is this app, started in-process, sending the CSRF token for you.
See docs/testing.md in Pyxle for more."""

from pathlib import Path

from pyxle.testing import call_action

INDEX = Path(__file__).resolve().parents[1] / "pages" / "index.pyxl"


def test_the_app_greets_by_name(pyxle_client):
    assert pyxle_client.get("/api/hello").json() == {"message": "Hello, world!"}
    answer = pyxle_client.post("/api/__actions/index/greet", json={"name": "Ada"})
    assert answer.json() == {"ok": True, "greeting": "Hello, Ada!"}
    assert call_action(INDEX, "greet", {"name": ""})["error"] == "Please enter a name"
