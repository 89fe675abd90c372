"""Stand-ins for a database, shared by the pages of this example."""

POSTS = {"hello": {"title": "Hello"}}
USERS = [{"id": 1, "name": "Ada", "email": "ada@example.com"}]


async def fetch_post(slug):
    return POSTS.get(slug)


async def current_user(request):
    """The signed-in user: here, whoever the `user` cookie names (a real app checks a session)."""
    name = request.cookies.get("user")
    return {"name": name} if name else None


async def create_user(name, email):
    user = {"id": len(USERS) + 1, "name": name, "email": email}
    USERS.append(user)
    return user
