"""What a refused reload logs as its reason: the check's own error, whatever was printed before it."""

from __future__ import annotations

from pyxle.cli._serve import refusal

ERROR = ("pages/win.pyxl:5: the SSR bundle threw as it loaded: ReferenceError: window is not defined\n"
         "hint: read browser globals in useEffect")


def test_the_reason_is_the_checks_own_error_after_an_asyncio_warning() -> None:
    """On a busy machine the check's stderr began with asyncio's warning about the SSR worker it
    started, and the log's reason (which a test waits for, line for line) began with it too."""
    stderr = f"Unknown child process pid 4242, will report returncode 255\npyxle: {ERROR}\n"
    assert refusal(stderr, 1) == ERROR


def test_the_reason_is_everything_printed_when_the_check_printed_no_error_of_its_own() -> None:
    assert refusal("pyxle: " + ERROR, 1) == ERROR
    assert refusal("Traceback (most recent call last):\n  boom", 1) == "Traceback (most recent call last):\n  boom"
    assert refusal("", 137) == "exit code 137"
