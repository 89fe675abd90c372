"""CSRF tokens: a random nonce signed with the app secret, so only this app can mint one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_token(secret: bytes) -> str:
    """``nonce.signature``; a cookie planted by a sibling subdomain cannot carry a valid signature."""
    nonce = _b64(secrets.token_bytes(18))
    return f"{nonce}.{_sign(secret, nonce)}"


def verify_token(secret: bytes, token: str) -> bool:
    nonce, dot, signature = token.partition(".")
    if not dot or not nonce or len(token) > 256:
        return False
    return hmac.compare_digest(signature, _sign(secret, nonce))


def _sign(secret: bytes, nonce: str) -> str:
    return _b64(hmac.new(secret, nonce.encode("ascii", "replace"), hashlib.sha256).digest())
