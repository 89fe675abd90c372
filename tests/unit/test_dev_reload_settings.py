"""``pyxle dev``'s server process on an edited setting (``cli._devreload``): what only a restart
can take is named in one line, where it is set, and nothing else is reloaded for it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pyxle.cli._devreload import DevReload
from tests.docs._blocks import cites

NOTICE = "changed; restart pyxle dev to use it"


@cites("docs/getting-started.md", "`observability.logLevel` and the keep-alive and shutdown timeouts, are named in one line")
def test_the_log_settings_and_server_timeouts_are_named_once_where_they_are_set(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "pyxle.config.json").write_text("{}")
    dev = DevReload(tmp_path, "development", {}, {})
    (tmp_path / "pyxle.config.json").write_text('{"logFormat": "json", "observability": {"logLevel": "debug"}}')
    (tmp_path / ".env").write_text("PYXLE_KEEP_ALIVE_TIMEOUT=5\nPYXLE_SHUTDOWN_TIMEOUT=3\n")
    with caplog.at_level(logging.INFO, logger="pyxle"):
        assert dev.prepare() is False  # nothing else changed: the worker is not replaced
        (tmp_path / "pyxle.config.json").write_text(
            '{"name": "Next", "logFormat": "json", "observability": {"logLevel": "debug"}}')
        assert dev.prepare() is True  # the name is applied; the four are not named again
    notices = [record.getMessage() for record in caplog.records if NOTICE in record.getMessage()]
    assert notices == [f"pyxle.config.json: logFormat {NOTICE}", f"pyxle.config.json: observability.logLevel {NOTICE}",
                       f".env: PYXLE_KEEP_ALIVE_TIMEOUT {NOTICE}", f".env: PYXLE_SHUTDOWN_TIMEOUT {NOTICE}"]


def test_a_setting_given_as_a_flag_is_not_named_when_the_file_changes_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dev = DevReload(tmp_path, "development", {"port": 0, "host": None}, {})
    (tmp_path / "pyxle.config.json").write_text('{"starlette": {"port": 9000}}')
    with caplog.at_level(logging.INFO, logger="pyxle"):
        assert dev.prepare() is False
    assert NOTICE not in caplog.text and "no setting changed" in caplog.text
