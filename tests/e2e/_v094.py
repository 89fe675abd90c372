"""What a browser tab that pyxle-framework 0.9.4 served sends: its CSRF cookie, token and router headers.

``token_094`` signs as 0.9.4 does. The construction was found by experiment (a 0.9.4 server run with a
known secret, its tokens compared with common constructions), and ``REAL_094`` holds tokens that
server gave out, so the unit tests check this helper against 0.9.4's own output.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE_094 = "pyxle-csrf-18431"  # 0.9.4's cookie: "pyxle-csrf-<the port it served on>"
NAV_HEADERS_094 = {"x-pyxle-navigation": "1", "x-requested-with": "pyxle", "accept": "application/json"}

# Set-Cookie values of a 0.9.4 server (`pyxle serve`, PYXLE_SECRET_KEY=REAL_094_SECRET).
REAL_094_SECRET = "oldtabs-known-secret-0123456789abcdef"
REAL_094 = (
    "5MDw0H8KfjtTdQbNqhB1mM9MKNT6EyGtkU1HhfAzngY.95d650606131c477",
    "XkR_9pXTubV7AL1rizOL4b6c7y75IiIM-9IiRt4_hww.3f17f1f96a566fca",
    "C9AnD8smbYrYC__apE6oOCb6yfeC_OziJ0-NsbZE4Tg.e28e2f36a7227ec3",
    "2EW61B0bvRSAuhGSy41RK1YU7BRbkGZsAemWhJL8qBY.df43945279686b4b",
    "hQiWEGR-ptuWgCp6C-MZ2zyf2bjI6d-bYKTjQqfHnr8.026997a2f96d780a",
)


def token_094(secret: str, nonce: str | None = None) -> str:
    """A CSRF token as 0.9.4 makes one: 32 random bytes URL-safe, then 16 hex digits of HMAC-SHA256."""
    nonce = nonce if nonce is not None else secrets.token_urlsafe(32)
    return f"{nonce}.{hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:16]}"
