"""What docs/compiler.md's page imports: `from db import fetch_all_users, create_user`."""

from store import USERS, create_user  # noqa: F401


async def fetch_all_users():
    return USERS
