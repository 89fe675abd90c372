"""Testing a Pyxle app: pages' Python in-process, and the whole app through a CSRF-aware client.

Public names: ``load_page``, ``load_loader``, ``call_action``, ``PyxleClient``, ``app_client``.
The pytest plugin (``pyxle.testing.plugin``, registered as a ``pytest11`` entry point) adds the
``pyxle_project``, ``pyxle_client`` and ``pyxle_session_client`` fixtures. Depends on ``pages`` (page modules, the actions
endpoint), ``app``, ``config`` and ``security`` (the client, which signs its CSRF token); Starlette's TestClient drives the app
(``pip install "pyxle-framework[testing]"`` brings pytest and httpx2 for it).
"""

from typing import TYPE_CHECKING, Any

from pyxle.testing._pages import call_action, load_loader, load_page

if TYPE_CHECKING:  # what type checkers and editors see of the names imported on first use below
    from pyxle.testing._client import PyxleClient, app_client

__all__ = ["PyxleClient", "app_client", "call_action", "load_loader", "load_page"]


def __getattr__(name: str) -> Any:
    """The client is imported on first use: Starlette's TestClient needs httpx2 (or httpx), and the
    pytest plugin, loaded in every suite of an environment that has Pyxle, must load without it."""
    if name in ("PyxleClient", "app_client"):
        from pyxle.testing import _client

        return getattr(_client, name)
    raise AttributeError(f"module 'pyxle.testing' has no attribute {name!r}")
