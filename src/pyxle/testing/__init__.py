"""Testing a Pyxle app: pages' Python in-process, and the whole app through a CSRF-aware client.

Public names: ``load_page``, ``load_loader``, ``call_action``, ``PyxleClient``, ``app_client``.
The pytest plugin (``pyxle.testing.plugin``, registered as a ``pytest11`` entry point) adds the
``pyxle_project`` and ``pyxle_client`` fixtures. Depends on ``pages`` (page modules, the actions
endpoint), ``app`` and ``config`` (the client); Starlette's TestClient drives the app.
"""

from pyxle.testing._client import PyxleClient, app_client
from pyxle.testing._pages import call_action, load_loader, load_page

__all__ = ["PyxleClient", "app_client", "call_action", "load_loader", "load_page"]
