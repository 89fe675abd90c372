"""A started app in-process (real ASGI, Starlette's TestClient) that sends the CSRF token itself."""

from __future__ import annotations

import dataclasses
import os
import sys
import urllib.request
import warnings
from collections.abc import Iterator, MutableMapping
from contextlib import ExitStack, contextmanager
from http.cookiejar import eff_request_host
from pathlib import Path
from typing import Any, Literal

INSTALL_HINT = ('pyxle.testing drives the app with Starlette\'s TestClient, which needs an HTTP client '
                'library: pip install "pyxle-framework[testing]" (pytest and httpx2)')


def test_client_class() -> Any:
    """Starlette's ``TestClient``, or an ImportError that says what to install (it needs httpx2 or httpx).

    On Python 3.10, Starlette's warning that httpx is deprecated in favour of httpx2 is silenced:
    httpx2 needs 3.11, so the advice cannot be followed, and a suite run with ``-W error`` failed on it."""
    with warnings.catch_warnings():
        if sys.version_info < (3, 11):
            warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
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
        """The token of the CSRF cookie. Without one yet, a token signed here with the app's key, as
        the app would hand it out, put in the cookie jar: it costs no request, so none of a rate
        limit's budget. An app that is not Pyxle's (no key known) is asked with a first GET."""
        if self.csrf_cookie not in self.cookies:
            secret = getattr(getattr(self.app, "config", None), "secret_key", None)
            if secret:
                from pyxle.security._tokens import make_token

                host = eff_request_host(urllib.request.Request(str(self.base_url)))[1]  # the jar's own domain
                self.cookies.set(self.csrf_cookie, make_token(secret.encode()), domain=host)
            else:
                from pyxle.pages import ACTIONS_PREFIX

                super().request("GET", ACTIONS_PREFIX + "/")
        return self.cookies.get(self.csrf_cookie)

    def fresh(self) -> PyxleClient:
        """Another client of this started app (its event loop, its lifespan state) with a cookie jar
        and headers of its own: a test's client, the costly start-up being the session's."""
        client = type(self)(self.app, base_url=str(self.base_url),
                            raise_server_exceptions=self._transport.raise_server_exceptions)
        client.portal = self.portal
        client.app_state.update(self.app_state)
        client.csrf_cookie, client.csrf_header = self.csrf_cookie, self.csrf_header
        return client


@contextmanager
def app_client(project: str | Path, *, mode: Literal["development", "production"] = "production",
               **overrides: Any) -> Iterator[PyxleClient]:
    """The project's app, started (pages built, render workers up), behind a ``PyxleClient``."""
    from pyxle.config import load_config

    before = dict(os.environ)
    try:
        config = load_config(Path(project), mode="test", overrides=overrides or None)  # the .env.test files
    finally:  # what the .env files set or changed, put back when the app stops
        loaded = {key: before.get(key) for key in {*before, *os.environ} if before.get(key) != os.environ.get(key)}
    try:
        with _started(config, mode) as client:
            yield client
    finally:
        _restore(loaded, os.environ)


def _restore(values: dict[str, str | None], environ: MutableMapping[str, str]) -> None:
    """Put back ``values`` (None: unset); the variables a test changed meanwhile are its own."""
    for key, value in values.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value


@contextmanager
def _started(config: Any, mode: Literal["development", "production"]) -> Iterator[PyxleClient]:
    """The app of ``config``, built into a folder of the tests' own and started."""
    from pyxle.app import create_app

    if config.pages_path.is_dir():  # (without pages/, the build in distDir is what is served)
        config = dataclasses.replace(config, dist_dir=str(Path(config.build_dir) / "test"))
    with ExitStack() as running:
        with _build_lock(config.dist_path):  # start-up (the render workers) reads the build too
            client = running.enter_context(PyxleClient(create_app(config, mode=mode), raise_server_exceptions=False,
                                                       base_url=f"{'https' if _secure_cookie(config) else 'http'}://testserver"))
        client.csrf_cookie = config.csrf.cookie_name
        client.csrf_header = config.csrf.header_name
        yield client


def _secure_cookie(config: Any) -> bool:
    """Whether the app's CSRF cookie is ``Secure``, which a client sends to https URLs only."""
    csrf = config.csrf
    return bool(csrf.enabled and (csrf.cookie_secure or csrf.cookie_same_site.lower() == "none"
                                  or csrf.cookie_name.startswith(("__Host-", "__Secure-"))))


@contextmanager
def _build_lock(out_dir: Path) -> Iterator[None]:
    """Holds ``<out_dir>.lock`` exclusively: pytest-xdist's workers build one at a time, the first
    builds and the others find its build current. Nothing is locked where flock is not (Windows)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.with_name(out_dir.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
