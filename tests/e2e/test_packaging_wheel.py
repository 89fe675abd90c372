"""The wheel users install from the package index: it carries the licence text MIT requires to go
with every copy (0.9.4's did; this one shipped none), and the metadata an index page and a licence
scanner read (links, classifiers, the extras 0.9 named)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
                   check=True, timeout=540, capture_output=True)
    [built] = out.glob("pyxle_framework-*.whl")
    return zipfile.ZipFile(built)


def _metadata(wheel: zipfile.ZipFile) -> tuple[str, list[str]]:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return name.rsplit("/", 1)[0], [f"{k}: {v}" for k, v in Parser().parsestr(wheel.read(name).decode()).items()]


def test_the_wheel_carries_the_licence_text(wheel: zipfile.ZipFile) -> None:
    info, fields = _metadata(wheel)
    licence = wheel.read(f"{info}/licenses/LICENSE").decode()
    assert licence.startswith("MIT License") and "Permission is hereby granted, free of charge" in licence
    assert (REPO / "LICENSE").read_text() == licence
    assert "License-Expression: MIT" in fields and "License-File: LICENSE" in fields


def test_the_metadata_links_the_docs_and_names_what_an_index_filters_on(wheel: zipfile.ZipFile) -> None:
    _, fields = _metadata(wheel)
    urls = {field.split(", ", 1)[0].removeprefix("Project-URL: "): field.split(", ", 1)[1]
            for field in fields if field.startswith("Project-URL: ")}
    assert urls["Documentation"].endswith("/docs") and urls["Repository"].startswith("https://")
    assert {"Classifier: Typing :: Typed", "Classifier: Programming Language :: Python :: 3.10",
            "Classifier: Framework :: AsyncIO"} <= set(fields)
    # Every extra pyxle-framework 0.9 published, so `pyxle-framework[dev]` in an app's requirements resolves.
    assert {"Provides-Extra: " + extra for extra in ("dev", "pydantic", "redis", "observability",
                                                     "observability-otel", "langkit")} <= set(fields)
