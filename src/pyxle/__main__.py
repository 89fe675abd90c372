"""``python -m pyxle`` is the ``pyxle`` command."""

from pyxle.cli import main

main()
