"""The demo's data layer: a real SQLite file, created with its table on first use.

Handlers call these as ``await fetch_all_users()`` (as in the seed); the blocking sqlite3 work
runs in Starlette's threadpool so the event loop stays free.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

DB_PATH = Path(os.environ.get("DEMO_DB_PATH", Path(__file__).parent / "data" / "demo.sqlite3"))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS api_keys (key TEXT PRIMARY KEY, owner TEXT NOT NULL);
INSERT OR IGNORE INTO api_keys (key, owner) VALUES ('demo-key', 'demo');
"""


def _connect() -> sqlite3.Connection:
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(DB_PATH, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.executescript(_SCHEMA)
    columns = {row["name"] for row in conn.execute("PRAGMA table_info(users)")}
    if "starred" not in columns:  # databases created before the star toggle existed
        conn.execute("ALTER TABLE users ADD COLUMN starred INTEGER NOT NULL DEFAULT 0")
    return conn


@contextmanager
def _connection() -> Iterator[sqlite3.Connection]:
    """A connection committed (or rolled back) and closed at the end of the block. sqlite3's own
    ``with conn:`` only commits, and a connection left open is freed by the cyclic garbage
    collector alone: a worker held a file descriptor per query until then."""
    conn = _connect()
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _query(sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with _connection() as conn:
        return [dict(row) for row in conn.execute(sql, params)]


def _insert_user(name: str, email: str) -> dict[str, Any]:
    with _connection() as conn:
        cursor = conn.execute("INSERT INTO users (name, email) VALUES (?, ?)", (name, email))
        return {"id": cursor.lastrowid, "name": name, "email": email}


def _delete_user(user_id: int) -> bool:
    with _connection() as conn:
        return conn.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0


async def fetch_all_users() -> list[dict[str, Any]]:
    return await run_in_threadpool(_query, "SELECT id, name, email FROM users ORDER BY id")


async def fetch_users_with_stars() -> list[dict[str, Any]]:
    rows = await run_in_threadpool(_query, "SELECT id, name, email, starred FROM users ORDER BY id")
    return [{**row, "starred": bool(row["starred"])} for row in rows]


def _set_star(user_id: int, starred: bool) -> bool:
    with _connection() as conn:
        return conn.execute("UPDATE users SET starred = ? WHERE id = ?", (int(starred), user_id)).rowcount > 0


async def set_star(user_id: int, starred: bool) -> bool:
    return await run_in_threadpool(_set_star, int(user_id), bool(starred))


async def fetch_user(user_id: str) -> dict[str, Any] | None:
    rows = await run_in_threadpool(_query, "SELECT id, name, email FROM users WHERE id = ?", (user_id,))
    return rows[0] if rows else None


def new_user_fields(body: Any) -> tuple[str, str] | None:
    """``(name, email)`` from a request body, or None when either is missing, not text, or the
    email has no @: what the API routes and the page's action both accept."""
    if not isinstance(body, dict):
        return None
    name, email = body.get("name"), body.get("email")
    if not isinstance(name, str) or not isinstance(email, str) or not name.strip() or "@" not in email:
        return None
    return name.strip(), email.strip()


async def create_user(name: str, email: str) -> dict[str, Any]:
    return await run_in_threadpool(_insert_user, name, email)


async def remove_user(user_id: int) -> bool:
    return await run_in_threadpool(_delete_user, int(user_id))


async def fetch_data(api_key: str) -> dict[str, Any] | None:
    rows = await run_in_threadpool(_query, "SELECT owner FROM api_keys WHERE key = ?", (api_key,))
    if not rows:
        return None
    users = await fetch_all_users()
    return {"owner": rows[0]["owner"], "user_count": len(users)}
