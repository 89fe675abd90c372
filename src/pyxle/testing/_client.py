"""A started app in-process (real ASGI, Starlette's TestClient) that sends the CSRF token itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

INSTALL_HINT = ('pyxle.testing drives the app with Starlette\'s TestClient, which needs an HTTP client '
                'library: pip install "pyxle-framework[testing]" (pytest and httpx2)')


def test_client_class() -> Any:
    """Starlette's ``TestClient``, or an ImportError that says what to install (it needs httpx2 or httpx)."""
    try:
        from starlette.testclient import TestClient
    except RuntimeError:  # Starlette's own "requires the httpx2 package"
        raise ImportError(INSTALL_HINT) from None
    return TestClient


TestClient = test_client_class()
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PyxleClient(TestClient):  # type: ignore[misc,valid-type]
    """``TestClient`` whose unsafe requests carry the ``pyxle-csrf`` cookie's token in ``x-csrf-token``
    (fetched with a first GET when there is none yet), as the browser runtime does."""

    csrf_cookie = "pyxle-csrf"
    csrf_header = "x-csrf-token"

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if method.upper() in _UNSAFE:
            token = self.csrf_token()
            if token:
                headers = dict(kwargs.pop("headers", None) or {})
                headers.setdefault(self.csrf_header, token)
                kwargs["headers"] = headers
        return super().request(method, url, **kwargs)

    def csrf_token(self) -> str | None:
        """The token of the CSRF cookie; without one yet, a first GET gets it. It asks the actions'
        own URL, which runs no project code and hands out the cookie (the health checks do not)."""
        if self.csrf_cookie not in self.cookies:
            from pyxle.pages import ACTIONS_PREFIX

            super().request("GET", ACTIONS_PREFIX + "/")
        return self.cookies.get(self.csrf_cookie)


@contextmanager
def app_client(project: str | Path, *, mode: Literal["development", "production"] = "production",
               **overrides: Any) -> Iterator[PyxleClient]:
    """The project's app, started (pages built, render workers up), behind a ``PyxleClient``."""
    from pyxle.app import create_app
    from pyxle.config import load_config

    config = load_config(Path(project), mode=mode, overrides=overrides or None)
    app = create_app(config, mode=mode)
    with PyxleClient(app, raise_server_exceptions=False) as client:
        client.csrf_cookie = config.csrf.cookie_name
        client.csrf_header = config.csrf.header_name
        yield client
