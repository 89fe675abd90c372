"""Why a build is stale, from what its manifest recorded: said when it cannot be built again."""

from __future__ import annotations

from pyxle.bundler import stale_reason

BUILT = {"sources": {"pages/index.pyxl": "a" * 16, "pyxle.config.json": "b" * 16, "c.css": "c" * 16},
         "publicEnv": "0" * 16}


def digests(changed: dict[str, str | None] | None = None) -> dict[str, str]:
    """The project's files now: as built, but for ``changed`` (None: removed)."""
    found: dict[str, str | None] = {"pages/index.pyxl": "a" * 64, "pyxle.config.json": "b" * 64, "c.css": "c" * 64}
    return {name: digest for name, digest in {**found, **(changed or {})}.items() if digest is not None}


def test_a_file_changed_added_or_removed_is_named() -> None:
    assert stale_reason(BUILT, digests({"pyxle.config.json": "f" * 64}), {}) == "pyxle.config.json has changed since it was built"
    assert stale_reason(BUILT, digests({"c.css": None}), {}) == "c.css has been removed since it was built"
    assert stale_reason(BUILT, digests({"x.jsx": "1" * 64}), {}) == "x.jsx has been added since it was built"


def test_many_files_are_counted_after_three() -> None:
    many = digests({f"f{i}.js": "1" * 64 for i in range(5)})
    assert stale_reason(BUILT, many, {}) == "f0.js, f1.js, f2.js and 2 more have been added since it was built"


def test_without_a_record_of_its_sources_nothing_is_said() -> None:
    """A manifest that does not record them (an earlier 1.0 build): only that it is stale."""
    assert stale_reason({}, digests(), {}) == ""


def test_public_variables_are_named_when_no_file_changed() -> None:
    assert stale_reason(BUILT, digests(), {"PYXLE_PUBLIC_API": "https://x"}) == \
        "the PYXLE_PUBLIC_* variables differ from those it was built with"
