"""Hiding secrets when the configuration is printed (``pyxle dev --print-config``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "********"

# Words that, as a whole word of a key name (camelCase, snake_case or kebab-case split),
# mark its value as secret. Whole words, so "keyframes" or "cookieName" stay visible.
_SECRET_WORDS = frozenset(
    {"secret", "secrets", "token", "tokens", "password", "passwd", "pwd", "key", "apikey",
     "privatekey", "credential", "passphrase", "auth", "dsn"}
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def is_secret_key(name: str) -> bool:
    """Whether a key's value should be masked, judged from the key's name."""
    return any(word.lower() in _SECRET_WORDS for word in _WORD.findall(name))


def plain(value: Any) -> Any:
    """A deep copy made of dicts and lists, so printing or dumping it cannot alter the config."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def mask_secrets(value: Any) -> Any:
    """Replace the values of secret-looking keys, at any depth.

    Only text and numbers are masked: booleans and null say nothing secret, and an
    object under such a key (``"auth": {...}``) is searched rather than hidden whole.
    """
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if _scalar(item) and is_secret_key(str(key)):
                result[key] = MASK
            elif isinstance(item, list) and is_secret_key(str(key)):  # a list of keys: each hidden, the count shown
                result[key] = [MASK if _scalar(each) else mask_secrets(each) for each in item]
            else:
                result[key] = mask_secrets(item)
        return result
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value
