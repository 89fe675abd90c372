"""0.9.4's CSRF tokens verify under the secret that signed them, and nothing else does."""

from __future__ import annotations

import pytest

from pyxle.security._tokens import LegacyVerifier, Signer
from tests.docs._blocks import cites
from tests.e2e._v094 import REAL_094, REAL_094_SECRET, token_094


@pytest.mark.parametrize("token", REAL_094)
def test_the_test_helper_signs_as_a_real_094_server_did(token: str) -> None:
    assert token_094(REAL_094_SECRET, token.partition(".")[0]) == token


@cites("docs/migrating.md", "0.9's signature is 64 bits (16 hex digits)")
@pytest.mark.parametrize("token", REAL_094)
def test_a_token_094_gave_out_verifies_under_its_secret(token: str) -> None:
    assert LegacyVerifier(REAL_094_SECRET.encode()).verify(token)
    assert len(token.partition(".")[2]) * 4 == 64
    assert not LegacyVerifier(b"another-secret-of-at-least-32-bytes!!").verify(token)


def test_a_forged_or_reshaped_094_token_is_refused() -> None:
    verifier = LegacyVerifier(REAL_094_SECRET.encode())
    nonce, _, signature = REAL_094[0].partition(".")
    flipped = ("0" if signature[-1] != "0" else "1")
    assert not verifier.verify(f"{nonce}.{signature[:-1]}{flipped}")
    assert not verifier.verify(f"{nonce}.{signature.upper()}")  # 0.9.4 wrote lowercase hex
    assert not verifier.verify(f"{nonce[:-1]}.{signature}")  # not 43 characters
    assert not verifier.verify(f"{nonce}.{signature}0")
    assert not verifier.verify("")


@cites("docs/migrating.md", "this server's cookie is `pyxle-csrf` and its tokens are not 0.9's kind")
def test_a_token_of_this_pyxle_is_no_094_token() -> None:
    """0.9.4 refuses it, and this cookie's name (seen by a probe rolling back to 0.9.4: 403 on every post)."""
    secret = REAL_094_SECRET.encode()
    ours = Signer(secret).make_token()
    assert not LegacyVerifier(secret).verify(ours)
    assert len(ours.partition(".")[2]) * 6 >= 256  # base64 of a full SHA-256 digest
