"""Run with `pytest` (`pip install "pyxle-framework[testing]"` brings it): pyxle_client (from
pyxle.testing's pytest plugin) is this app, started in-process. See docs/testing.md in Pyxle for more."""


def test_the_api_says_hello(pyxle_client):
    assert pyxle_client.get("/api/hello").json() == {"message": "Hello, world!"}


def test_the_api_greets_by_name(pyxle_client):
    assert pyxle_client.get("/api/greet/Ada").json() == {"message": "Hello, Ada!"}
