import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse

from db import create_user, fetch_all_users, remove_user


async def get(request: Request) -> JSONResponse:
    users = await fetch_all_users()
    return JSONResponse({"users": users})


async def post(request: Request) -> JSONResponse:
    body = await request.json()
    if not isinstance(body, dict) or not body.get("name") or not body.get("email"):
        return JSONResponse({"error": "name and email are required"}, status_code=422)
    try:
        user = await create_user(body["name"], body["email"])
    except sqlite3.IntegrityError:
        return JSONResponse({"error": "a user with that email exists"}, status_code=409)
    return JSONResponse({"user": user}, status_code=201)


async def delete(request: Request) -> JSONResponse:
    body = await request.json()
    await remove_user(body["id"])
    return JSONResponse({"deleted": True})
