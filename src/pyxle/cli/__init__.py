"""The ``pyxle`` command: parse flags, load the project, hand off to app/server.

Public names: ``main`` (the console script).
"""

from pyxle.cli._main import main

__all__ = ["main"]
