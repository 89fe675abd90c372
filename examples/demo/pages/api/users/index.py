import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse

from db import create_user, fetch_all_users, new_user_fields, remove_user


async def get(request: Request) -> JSONResponse:
    users = await fetch_all_users()
    return JSONResponse({"users": users})


async def post(request: Request) -> JSONResponse:
    fields = new_user_fields(await request.json())
    if fields is None:
        return JSONResponse({"error": "name and email are required"}, status_code=422)
    try:
        user = await create_user(*fields)
    except sqlite3.IntegrityError:
        return JSONResponse({"error": "a user with that email exists"}, status_code=409)
    return JSONResponse({"user": user}, status_code=201)


async def delete(request: Request) -> JSONResponse:
    body = await request.json()
    user_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(user_id, int):
        return JSONResponse({"error": "id (a number) is required"}, status_code=422)
    await remove_user(user_id)
    return JSONResponse({"deleted": True})
