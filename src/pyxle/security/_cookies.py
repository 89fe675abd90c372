"""Signed cookie values: ``value.signature`` that only holders of the secret can produce.

The format is pyxle-framework 0.9.x's, so cookies an app signed before keep verifying: the
signature is HMAC-SHA256 of the value, hex, under a key derived as HMAC-SHA256(secret, salt),
so values signed for one purpose (``salt``) never verify for another.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence

from pyxle.security._secret import FALLBACKS_ENV, split_fallbacks

SECRET_ENV = "PYXLE_SECRET_KEY"


class MissingSecretKeyError(RuntimeError):
    """No secret to sign with: neither passed nor in PYXLE_SECRET_KEY."""


def _key(secret_key: str | None, salt: str) -> bytes:
    """Only ``None`` reads PYXLE_SECRET_KEY: an empty ``secret_key`` (``os.environ.get("MY_KEY", "")``
    with the variable unset) raises, as in pyxle-framework 0.9, rather than sign with another key."""
    secret = os.environ.get(SECRET_ENV) if secret_key is None else secret_key
    if not secret:
        raise MissingSecretKeyError(
            f"signing a cookie needs a secret: pass secret_key=..., or set {SECRET_ENV} "
            '(make one with: python -c "import secrets; print(secrets.token_urlsafe(48))")')
    return hmac.new(secret.encode("utf-8"), salt.encode("utf-8"), hashlib.sha256).digest()


def sign_cookie(value: str, secret_key: str | None = None, *, salt: str = "") -> str:
    """``value`` with its signature appended (readable, not encrypted: never put secrets in it)."""
    signature = hmac.new(_key(secret_key, salt), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{value}.{signature}"


def verify_cookie(signed_value: str, secret_key: str | None = None, *, salt: str = "",
                  fallbacks: Sequence[str] | None = None) -> str | None:
    """The original value if the signature is right, else None (test with ``is not None``: it may be "").

    A missing secret raises ``MissingSecretKeyError`` rather than rejecting every cookie quietly.
    ``fallbacks``: older keys, tried only when ``secret_key`` refuses the value; ``None`` means
    those of PYXLE_SECRET_KEY_FALLBACKS when ``secret_key`` is ``None`` too (PYXLE_SECRET_KEY's), none otherwise.
    """
    key = _key(secret_key, salt)
    value, dot, signature = (signed_value or "").rpartition(".")
    if not dot:
        return None
    given = signature.encode("utf-8", "replace")
    if _signed(key, value, given):
        return value
    if fallbacks is None:
        fallbacks = split_fallbacks(os.environ.get(FALLBACKS_ENV)) if secret_key is None else ()
    return value if any(_signed(_key(old, salt), value, given) for old in fallbacks if old) else None


def _signed(key: bytes, value: str, signature: bytes) -> bool:
    expected = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected.encode("ascii"))
