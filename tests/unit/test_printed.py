"""The ``Printed`` stream of JSON logs: which writes make one ``print`` record."""

from __future__ import annotations

import io
import logging
import threading
import traceback
from collections.abc import Iterator

import pytest

from pyxle.app._printed import Printed, _held_call, one_print, one_record


@pytest.fixture
def records() -> Iterator[list[tuple[str, str]]]:
    got: list[tuple[str, str]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            got.append((record.threadName or "", record.getMessage()))

    logger = logging.getLogger("print")
    handler, level = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield got
    logger.removeHandler(handler)
    logger.setLevel(level)


def messages(records: list[tuple[str, str]]) -> list[str]:
    return [message for _, message in records]


def test_a_traceback_printed_by_one_call_is_one_record(records):
    stream = Printed(io.StringIO(), logging.WARNING)
    print_exc = _held_call(traceback.print_exc)  # what capture_prints makes of the traceback module
    try:
        raise ValueError("boom")
    except ValueError:
        print_exc(file=stream)
    print("after", file=stream)
    assert len(records) == 2, records
    assert records[0][1].startswith("Traceback (most recent call last):\n  File ")
    assert records[0][1].endswith("ValueError: boom")
    assert records[1][1] == "after"


def test_text_waiting_from_an_earlier_print_is_its_own_record(records):
    stream = Printed(io.StringIO(), logging.INFO)
    print("no newline yet", end="", file=stream)
    with one_record():
        print("held 1", file=stream)
        print("held 2", file=stream)
    assert messages(records) == ["no newline yet", "held 1\nheld 2"]


def test_print_stays_one_record_per_call_and_a_progress_bar_one_per_flush(records):
    stream = Printed(io.StringIO(), logging.INFO)
    print("a\nb", file=stream)
    print("c", "d", file=stream)
    for done in (10, 50, 100):
        print(f"\rloading {done}%", end="", file=stream, flush=True)
    print(file=stream)
    assert messages(records) == ["a\nb", "c d", "\rloading 10%", "\rloading 50%", "\rloading 100%"]


def test_one_print_call_is_one_record_whatever_its_arguments_hold(records):
    stream = Printed(io.StringIO(), logging.INFO)  # one_print: what capture_prints makes of print
    one_print("a\n", "b", file=stream)
    one_print("c\n", "d\n", sep="", file=stream)
    one_print("waits", end="", file=stream)
    one_print(" joined", file=stream)
    one_print("\rloading 10%", end="", file=stream, flush=True)
    one_print("\rloading 50%", end="", file=stream, flush=True)
    one_print(file=stream)
    assert messages(records) == ["a\n b", "c\nd\n", "waits joined", "\rloading 10%", "\rloading 50%"]


def test_a_print_whose_argument_fails_keeps_what_it_wrote(records):
    stream = Printed(io.StringIO(), logging.INFO)

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    with pytest.raises(RuntimeError):
        one_print("first\n", Broken(), file=stream)
    one_print("next", file=stream)
    assert messages(records) == ["first\n ", "next"]  # what it wrote before failing: a record of its own


def test_threads_holding_at_once_keep_their_records_apart(records):
    stream = Printed(io.StringIO(), logging.INFO)
    turns = threading.Barrier(2)

    def lines(name: str) -> None:
        with one_record():
            for n in range(3):
                turns.wait(timeout=5)  # the two threads write line by line, interleaved
                print(f"{name} {n}", file=stream)
        print(f"{name} alone", file=stream)

    threads = [threading.Thread(target=lines, args=(name,), name=name) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(records) == [("one", "one 0\none 1\none 2"), ("one", "one alone"),
                               ("two", "two 0\ntwo 1\ntwo 2"), ("two", "two alone")]
