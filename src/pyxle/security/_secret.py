"""The app secret that signs CSRF tokens: PYXLE_SECRET_KEY, or a key generated for this server;
and the older keys of PYXLE_SECRET_KEY_FALLBACKS, which only verify."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

MIN_SECRET_BYTES = 32
# A key the CLI generated, handed to its workers so that they sign CSRF tokens alike (and across a
# `pyxle dev` reload). Not PYXLE_SECRET_KEY: sign_cookie reads that, and must raise without it
# rather than sign sessions with a key the next restart forgets.
GENERATED_SECRET_ENV = "PYXLE_GENERATED_SECRET_KEY"
HOW_TO_MAKE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
# Older keys, comma-separated: they verify what was signed before a rotation and never sign.
# A comma: no generator of keys writes one (token_urlsafe, hex, base64, Django's), and a variable
# holding "old1,old2" needs no quotes in a shell, a .env file or systemd's Environment=.
FALLBACKS_ENV = "PYXLE_SECRET_KEY_FALLBACKS"
KEEP_OLD = (f"To keep what the old key signed valid (sessions, CSRF tokens), set a new PYXLE_SECRET_KEY "
            f"and move the old one to {FALLBACKS_ENV}")


class SecretKeyError(ValueError):
    """PYXLE_SECRET_KEY is set but too weak to sign anything."""


def resolve_secret(value: str | None, *, mode: str, shared: Sequence[str] = ()) -> tuple[bytes, str | None]:
    """``(key, warning)``: the configured key, or a fresh random one and a warning for production.

    ``shared`` names what makes other processes or machines verify this server's tokens (several
    workers, a Redis backend): then, in production, a generated key is refused, not warned about.
    """
    if value:
        key = value.encode("utf-8")
        if len(key) < MIN_SECRET_BYTES:
            raise SecretKeyError(
                f"PYXLE_SECRET_KEY is {len(key)} bytes; it must be at least {MIN_SECRET_BYTES}. Make one with: {HOW_TO_MAKE}. "
                f"{KEEP_OLD}"
            )
        return key, None
    refuse_generated(mode=mode, shared=shared)
    key = secrets.token_urlsafe(48).encode("ascii")
    warning = None
    if mode == "production":
        warning = (
            "PYXLE_SECRET_KEY is not set; using a random key for this server's CSRF tokens, which will not "
            "survive a restart or work across machines, and sign_cookie / verify_cookie (sessions) raise "
            f"MissingSecretKeyError until you set it (make one with: {HOW_TO_MAKE})"
        )
    return key, warning


def split_fallbacks(text: str | None) -> tuple[str, ...]:
    """The keys of PYXLE_SECRET_KEY_FALLBACKS, in order: split on commas, spaces around each
    dropped (config's ``_rules.split_fallbacks`` is the same rule: config imports nothing of this)."""
    return tuple(key for part in (text or "").split(",") if (key := part.strip()))


def refuse_generated(*, mode: str, shared: Sequence[str]) -> None:
    """Refuse to run without PYXLE_SECRET_KEY in production when state is shared: each process
    would sign with a key of its own. Start-up asks, and so does every reload's check (the key may
    have left a ``.env`` file since), so that a reload is refused as start-up would be."""
    if shared and mode == "production":
        raise SecretKeyError(
            f"PYXLE_SECRET_KEY is not set, and this server shares state ({', '.join(shared)}): a key generated "
            "here would not verify what the other workers or machines sign. Set the same PYXLE_SECRET_KEY "
            f"everywhere (make one with: {HOW_TO_MAKE})"
        )
