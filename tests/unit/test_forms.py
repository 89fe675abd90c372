"""``pyxle.validation.form_fields``: the one reading of a submitted form as a dict."""

from __future__ import annotations

from starlette.datastructures import UploadFile

from pyxle.validation import form_fields


def test_a_key_sent_more_than_once_becomes_a_list_in_the_order_sent() -> None:
    items = [("title", "x"), ("tag", "a"), ("tag", "b"), ("tag", "c")]
    assert form_fields(items) == {"title": "x", "tag": ["a", "b", "c"]}


def test_skipped_keys_are_left_out() -> None:
    assert form_fields([("csrf_token", "t"), ("title", "x"), ("csrf_token", "u")], skip=("csrf_token",)) == {"title": "x"}


def test_text_only_drops_uploaded_files_and_keeps_them_otherwise() -> None:
    upload = UploadFile(file=None, filename="a.txt")  # type: ignore[arg-type]
    items = [("name", "Ada"), ("avatar", upload), ("name", "Grace")]
    assert form_fields(items, text_only=True) == {"name": ["Ada", "Grace"]}
    assert form_fields(items)["avatar"] is upload
