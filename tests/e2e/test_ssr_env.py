"""What page code can read of the server's environment while it is rendered on the server.

Reads written `process.env.X` are rewritten by the build, but `globalThis.process.env` and
`const { env } = process` are plain JavaScript reaching the Node worker's own environment: the
worker is started with the public variables and what Node needs, never the server's secrets,
since server-rendered HTML is public."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.docs._blocks import cites

PAGE = '''
export default function Home() {
  const whole = globalThis.process?.env ?? {}
  const { env } = process
  return <main>
    <p id="names">{Object.keys(whole).sort().join(",")}</p>
    <p id="values">{Object.values(env).join(",")}</p>
    <p id="public">{whole.PYXLE_PUBLIC_SITE}</p>
  </main>
}
'''
SECRETS = {"PYXLE_SECRET_KEY": "sk-" + "s" * 40, "AWS_SECRET_ACCESS_KEY": "aws-secret-from-the-shell",
           "HTTPS_PROXY": "http://user:proxy-password@proxy.example:3128"}


@cites("docs/client.md", "so `globalThis.process.env` or `const { env } = process` in a component or an npm package finds no\nsecret either")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_server_rendering_cannot_reach_the_servers_secrets(make_project, start_server, command: str) -> None:
    project = make_project({"pages/index.pyxl": PAGE, ".env.local": "DB_PASSWORD=db-secret-from-dotenv\n"}, node=True)
    server = start_server(project, command, env={**SECRETS, "PYXLE_PUBLIC_SITE": "public-site", "TZ": "UTC"})
    html = httpx.get(server.url + "/", timeout=60).text.replace("<!-- -->", "")
    for secret in (*SECRETS.values(), "db-secret-from-dotenv", "proxy-password"):
        assert secret not in html, secret
    names = re.search(r'<p id="names">([^<]*)</p>', html).group(1).split(",")
    assert not {"PYXLE_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "HTTPS_PROXY"} & set(names), names
    assert {"PYXLE_PUBLIC_SITE", "PATH", "TZ"} <= set(names), names  # what pages may read, and Node needs
    assert '<p id="public">public-site</p>' in html
