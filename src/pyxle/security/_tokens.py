"""CSRF tokens: a random nonce signed with the app secret, so only this app can mint one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_BLOCK = 64  # SHA-256 block size
_NONCE = 18  # bytes of randomness per token (24 base64 characters)
# The tokens' key is derived from the app secret for this use alone: signed with the secret itself,
# a token's signature was ``sign_cookie``'s key for the salt that equals its nonce.
_PURPOSE = b"pyxle csrf token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Signer:
    """HMAC-SHA256 from precomputed inner/outer pad states (RFC 2104).

    ``hmac.digest`` releases the GIL around OpenSSL on every call; under granian's I/O threads
    that hand-off cost more than the hash itself (docs/benchmarks.md). Copying a hashed pad
    state and updating it with a few bytes keeps the GIL and does the same work.
    """

    def __init__(self, secret: bytes) -> None:
        key = hmac.digest(secret, _PURPOSE, "sha256")
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._verified: dict[str, None] = {}  # tokens already checked, bounded
        self._random = b""  # os.urandom also drops the GIL: draw it in batches

    def _nonce(self) -> str:
        if len(self._random) < _NONCE:
            self._random = secrets.token_bytes(_NONCE * 256)
        nonce, self._random = self._random[:_NONCE], self._random[_NONCE:]
        return _b64(nonce)

    def sign(self, nonce: str) -> str:
        inner = self._inner.copy()
        inner.update(nonce.encode("ascii", "replace"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return _b64(outer.digest())

    def make_token(self) -> str:
        """``nonce.signature``; a cookie planted by a sibling subdomain cannot carry a valid signature."""
        nonce = self._nonce()
        token = f"{nonce}.{self.sign(nonce)}"
        self._remember(token)
        return token

    def verify(self, token: str) -> bool:
        if token in self._verified:
            return True
        nonce, dot, signature = token.partition(".")
        if not dot or not nonce or len(token) > 256 or not token.isascii():  # compare_digest refuses non-ASCII str
            return False
        if hmac.compare_digest(signature, self.sign(nonce)):
            self._remember(token)
            return True
        return False

    def _remember(self, token: str) -> None:
        if len(self._verified) >= 4096:
            self._verified.clear()
        self._verified[token] = None


def make_token(secret: bytes) -> str:
    return Signer(secret).make_token()


def verify_token(secret: bytes, token: str) -> bool:
    return Signer(secret).verify(token)


# pyxle-framework 0.9.4's tokens: 43 URL-safe characters (32 random bytes), a dot, and the first 16
# hex digits of HMAC-SHA256(secret, nonce). Found by signing nonces the way each common construction
# would and comparing with the tokens a 0.9.4 server gave out under a known secret.
_LEGACY = re.compile(r"[A-Za-z0-9_-]{43}\.[0-9a-f]{16}\Z")


class LegacyVerifier:
    """Verifies a token pyxle-framework 0.9.4 signed with this secret, so a tab it served before
    the upgrade keeps posting; nothing here makes one (this server signs only its own kind)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def verify(self, token: str) -> bool:
        if not _LEGACY.match(token):
            return False
        nonce, signature = token[:43], token[44:]
        expected = hmac.new(self._secret, nonce.encode("ascii"), hashlib.sha256).hexdigest()[:16]
        return hmac.compare_digest(signature, expected)
