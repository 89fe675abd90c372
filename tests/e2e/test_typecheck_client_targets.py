"""`pyxle typecheck` (a real tsc over a real project) on the router and `Script` calls Pyxle 0.9 code
makes: `navigate`, `prefetch`, `invalidate` and the router take a `URL` or the `Location` as well
as a string, and `Script`'s `onError` is given an `Error`."""

from __future__ import annotations

from tests.docs._blocks import cites
from tests.e2e.test_typecheck import typecheck

PAGE = '''
import { useState } from 'react'
import { Script, getRouter, invalidate, navigate, prefetch } from 'pyxle/client'

export default function Page() {
  const [failure, setFailure] = useState('')
  async function go() {
    await prefetch(new URL('/next', window.location.href))
    invalidate(window.location)
    const router = getRouter()
    if (router) await router.prefetch(window.location)
    await navigate(new URL('/next', window.location.href), { replace: true })
  }
  return (
    <main>
      <Script src="/widget.js" onLoad={() => setFailure('')}
              onError={(error) => setFailure(error.message + String(error.cause ?? ''))} />
      <button onClick={go}>{failure}</button>
    </main>
  )
}
'''
MISUSE = PAGE.replace("setFailure(error.message + String(error.cause ?? ''))", "setFailure(String(error.target))")


@cites("docs/client.md", "take a path, a `URL` or a `Location`")
def test_router_functions_take_a_url_or_location_and_script_onerror_an_error(make_project) -> None:
    done = typecheck(make_project({"pages/index.pyxl": PAGE}, node=True))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pyxle typecheck: no type errors (1 page checked)" in done.stderr


def test_reading_an_event_field_from_script_onerror_is_a_type_error(make_project) -> None:
    done = typecheck(make_project({"pages/index.pyxl": MISUSE}, node=True))
    assert done.returncode == 1
    assert "error TS2339: Property 'target' does not exist on type 'Error'." in done.stdout


REFS = '''
import { useRef } from 'react'
import { ClientOnly, Head } from 'pyxle/client'

export default function Page() {
  const head = useRef(null)
  const only = useRef(null)
  return (
    <main>
      <Head ref={head}><title>Refs</title></Head>
      <ClientOnly ref={only} fallback={<p>later</p>}><p>now</p></ClientOnly>
    </main>
  )
}
'''


def test_head_and_client_only_accept_a_ref_as_pyxle_09_declared_them(make_project) -> None:
    """0.9's types declared both as forwardRef components (their ref stays null at runtime)."""
    done = typecheck(make_project({"pages/index.pyxl": REFS}, node=True))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pyxle typecheck: no type errors (1 page checked)" in done.stderr


URL_OBJECTS = '''
import { Link, navigate, prefetch } from 'pyxle/client'

export default function Page() {
  const to = { pathname: '/blog', query: { page: 5, tag: ['a', 'b'], draft: true }, hash: 'top' }
  return (
    <main>
      <Link href={to}>Blog</Link>
      <Link href={{ pathname: '/blog', search: '?page=7' }}>Page 7</Link>
      <button onClick={() => { prefetch(to); navigate({ pathname: '/blog', query: { page: 3 } }) }}>Go</button>
    </main>
  )
}
'''


@cites("docs/client.md", "A `Link`'s `href` (and what `navigate`, `prefetch` and `invalidate` take) may also be Next.js's URL")
def test_link_and_navigate_take_nextjs_url_objects(make_project) -> None:
    done = typecheck(make_project({"pages/index.pyxl": URL_OBJECTS}, node=True))
    assert done.returncode == 0, done.stdout + done.stderr

