"""pyxle-mail 0.1.0 from the package index, unchanged, under a real `pyxle serve`: the console
provider logs a mail an action sends, the SMTP provider delivers to a real aiosmtpd server (beside
pyxle-db and pyxle-auth, whose password-reset token it mails), and a misconfigured provider stops
start-up in one line naming the plugin."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from tests.conftest import Server, free_port, server_env, serving, write_project
from tests.docs._blocks import cites

SECRET = "s" * 40

INVITE = '''
from pyxle_mail import get_mail_service

@action
async def invite(request):
    body = await request.json()
    sent = await get_mail_service().send(
        to=body["to"], subject="You're invited", text="Welcome aboard.", html="<p>Welcome aboard.</p>",
        headers={"List-Unsubscribe": "<https://example.com/unsubscribe?token=0123456789abcdef0123456789abcdef>"},
    )
    return {"id": sent.message_id, "provider": sent.provider}

export default function Home() { return null }
'''

# The flow pyxle-mail's README names: pyxle-auth hands out a reset token, the app mails it.
RESET = '''
from pyxle_auth import get_auth_service
from pyxle_mail import get_mail_service

@action
async def forgot(request):
    found = await get_auth_service().request_password_reset(email=(await request.json())["email"])
    if found is not None:
        user, token = found
        await get_mail_service().send(to=user.email, subject="Reset your password", text=f"Your token: {token}")
    return {"sent": True}

@action
async def reset(request):
    body = await request.json()
    user = await get_auth_service().reset_password(raw_token=body["token"], new_password=body["password"])
    return {"email": user.email}

export default function Reset() { return null }
'''

DIGEST = '''
from pyxle_mail import get_mail_service

async def post(request):
    sent = await get_mail_service().send(to="ada@example.com", cc="bo@example.com", bcc="audit@example.com",
                                         subject="Digest", text="Nothing new.")
    return {"accepted": list(sent.accepted), "provider": sent.provider}
'''

PING = "async def get(request):\n    return {}\n"


class Inbox:
    """What a real SMTP server on a loopback port received: envelopes and parsed messages."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:  # aiosmtpd calls it per message
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def message(self, subject: str) -> tuple[Envelope, EmailMessage]:
        for envelope in self.envelopes:
            parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
            if parsed["Subject"] == subject:
                return envelope, parsed  # type: ignore[return-value]
        raise AssertionError(f"no mail with subject {subject!r} among {len(self.envelopes)}")


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@contextmanager
def _csrf_client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/")  # a page answer (a 404 page too) sets the CSRF cookie
        client.headers["x-csrf-token"] = client.cookies["pyxle-csrf"]
        yield client


@cites("docs/migrating.md", "`pyxle-mail` 0.1 from the package index run unchanged")
def test_the_console_provider_logs_a_mail_sent_from_an_action(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {"pages/index.pyxl": INVITE,
                                            "pyxle.config.json": json.dumps({"plugins": ["pyxle-mail"]})}, None)
    # No settings in the config: PYXLE_MAIL_FROM applies, and the provider is the console.
    with serving(root, env={"PYXLE_SECRET_KEY": SECRET, "PYXLE_MAIL_FROM": "hello@example.com"}) as server:
        with _csrf_client(server) as client:
            answer = client.post("/api/__actions/index/invite", json={"to": "ada@example.com"})
        assert answer.status_code == 200 and answer.json()["provider"] == "console"
        assert answer.json()["id"].startswith("console-")
        output = server.wait_for_output("[pyxle-mail:console] (not sent)")
    line = next(line for line in output.splitlines() if "[pyxle-mail:console]" in line)
    assert "to=ada@example.com | from=hello@example.com | subject=You're invited | Welcome aboard." in line
    assert f"[{answer.headers['x-request-id']}]" in line  # logged in the request, tagged with its id
    assert "pyxle-mail: service ready (provider=console, from=hello@example.com)" in output


def test_the_smtp_provider_delivers_to_a_real_smtp_server_beside_pyxle_db_and_pyxle_auth(
        tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    mail = {"provider": "smtp", "smtpHost": "127.0.0.1", "smtpPort": port, "smtpUseTls": False,
            "fromAddress": "app@example.com", "fromName": "The App"}
    config = {"plugins": ["pyxle-db", {"name": "pyxle-mail", "settings": mail}, "pyxle-auth"]}
    root = write_project(tmp_path / "app", {"pages/index.pyxl": INVITE, "pages/reset.pyxl": RESET,
                                            "pages/api/digest.py": DIGEST, "pyxle.config.json": json.dumps(config)},
                         None)
    # The config's fromAddress beats PYXLE_MAIL_FROM; PYXLE_MAIL_REPLY_TO beats the default (none).
    env = {"PYXLE_SECRET_KEY": SECRET, "PYXLE_MAIL_FROM": "env@example.com", "PYXLE_MAIL_REPLY_TO": "help@example.com"}
    with serving(root, env=env) as server, _csrf_client(server) as client:
        sent = client.post("/api/__actions/index/invite", json={"to": "ada@example.com"})
        assert sent.status_code == 200 and sent.json()["provider"] == "smtp"
        envelope, message = inbox.message("You're invited")
        assert envelope.mail_from == "app@example.com" and envelope.rcpt_tos == ["ada@example.com"]
        assert message["From"] == "The App <app@example.com>" and message["To"] == "ada@example.com"
        assert message["Reply-To"] == "help@example.com" and message["Message-ID"] == sent.json()["id"]
        assert message["List-Unsubscribe"] == "<https://example.com/unsubscribe?token=0123456789abcdef0123456789abcdef>"
        assert message.get_content_type() == "multipart/alternative"
        assert message.get_body(("plain",)).get_content().strip() == "Welcome aboard."  # type: ignore[union-attr]
        assert message.get_body(("html",)).get_content().strip() == "<p>Welcome aboard.</p>"  # type: ignore[union-attr]

        digest = client.post("/api/digest")  # from an API route; bcc in the envelope only
        assert digest.json() == {"accepted": ["ada@example.com", "bo@example.com", "audit@example.com"],
                                 "provider": "smtp"}
        envelope, message = inbox.message("Digest")
        assert envelope.rcpt_tos == ["ada@example.com", "bo@example.com", "audit@example.com"]
        assert message["Cc"] == "bo@example.com" and message["Bcc"] is None

        password = "correct horse battery"
        assert client.post("/auth/signup", json={"email": "ada@example.com", "password": password}).status_code == 201
        assert client.post("/api/__actions/reset/forgot", json={"email": "ada@example.com"}).json()["sent"] is True
        _, message = inbox.message("Reset your password")
        token = re.fullmatch(r"Your token: (\S+)", message.get_content().strip())
        assert token is not None
        reset = client.post("/api/__actions/reset/reset", json={"token": token[1], "password": "a new long password"})
        assert reset.status_code == 200 and reset.json()["email"] == "ada@example.com"
        assert client.post("/auth/login", json={"email": "ada@example.com", "password": "a new long password"}).status_code == 200


@pytest.mark.parametrize(("settings", "message"), [
    ({"provider": "resend", "fromAddress": "app@example.com"},
     "The 'resend' provider needs an API key. Set PYXLE_MAIL_RESEND_API_KEY."),
    ({"provider": "smtp", "smtpHost": "127.0.0.1"},
     "The 'smtp' provider needs a from-address. Set PYXLE_MAIL_FROM (or fromAddress in pyxle.config.json)."),
])
def test_a_misconfigured_provider_stops_start_up_in_one_line_naming_the_plugin(
        tmp_path: Path, settings: dict[str, object], message: str) -> None:
    config = {"plugins": [{"name": "pyxle-mail", "settings": settings}]}
    root = write_project(tmp_path / "app", {"pages/api/ping.py": PING, "pyxle.config.json": json.dumps(config)}, None)
    server = Server(["serve", str(root), "--port", "0", "--workers", "2"], root, server_env(PYXLE_SECRET_KEY=SECRET))
    try:
        assert server.wait_exit(60) == 1
    finally:
        server.stop()
    assert server.output().strip() == (f"pyxle: {root / 'pyxle.config.json'}: plugins[0]: plugin 'pyxle-mail' failed to "
                                       f"start: MailConfigError: {message}")
