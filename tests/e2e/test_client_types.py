"""The TypeScript declarations of `pyxle/client` (index.d.ts): every export of the runtime is
declared, typical page code type-checks with `tsc --strict`, and misuse is reported.
TypeScript and React's types come from tests/node's dev packages."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.conftest import NODE_MODULES, REPO
from tests.docs._blocks import cites

CLIENT = REPO / "src" / "pyxle" / "client"

GOOD = """
import { useState } from 'react'
import { Form, Head, Image, Link, Script, Slot, ClientOnly, useAction, usePathname, navigate, prefetch,
         refresh, invalidate, configure, useWebSocket } from 'pyxle/client'
import type { ActionResult, WebSocketStatus } from 'pyxle/client'

type Saved = { id: number }

export default function Page() {
  const [n, setN] = useState(0)
  const save = useAction<{ title: string }, Saved>('save', { onMutate: (p) => console.log(p.title) })
  const listed = useAction<{ q: string }, { data: string[] }>('list')
  const path: string | null = usePathname()
  const chat = useWebSocket<{ text: string }>('/chat', { maxRetries: 3, onMessage: (m) => console.log(m.text) })
  const state: WebSocketStatus = chat.status
  chat.send({ text: 'hi' })
  console.log(state, chat.lastMessage?.text, chat.retries)
  async function run(): Promise<void> {
    const controller = new AbortController()
    const result: ActionResult<Saved> = await save({ title: 'x' }, { signal: controller.signal })
    if (result.ok) setN(result.id)
    else console.log(result.error, result.aborted)
    const found = await listed({ q: 'a' })  // an action's own JSONResponse(["a", "b"]): its body is `data`
    if (found.ok) console.log(found.data.length, found.redirect)
    await navigate('/next', { replace: true })
    await prefetch('/other')
    await refresh()
    invalidate()
    invalidate('/other')
    configure({ prefetchTtl: 5000, loadingDelay: 0 })
  }
  return (
    <main>
      <Head><title>Typed</title></Head>
      <Slot name="aside" fallback={<span>none</span>} />
      <ClientOnly fallback={<p>loading</p>}><p>{path}</p></ClientOnly>
      <Link href="/about" prefetch={false} className="nav">About</Link>
      <Form action="save" resetOnSuccess={false} onSuccess={(r) => console.log(r.ok)}
            onError={(message) => console.log(message)}>
        <button disabled={save.pending}>{n}</button>
      </Form>
      <Script src="/x.js" strategy="lazyOnload" />
      <Image src="/a.png" width={10} height={10} alt="a" priority />
      <button onClick={run}>{save.error ?? ''}</button>
    </main>
  )
}
"""

BAD = {
    "a Link without href": "<Link>About</Link>",
    "a Script strategy that does not exist": "<Script src='/x.js' strategy='eventually' />",
    "an Image without its size": "<Image src='/a.png' alt='a' />",
    "an Image without alt": "<Image src='/a.png' width={10} height={10} />",
    "a Form without its action": "<Form><button /></Form>",
    "a useWebSocket option that does not exist": "<p>{useWebSocket('/ws', { retry: 3 }).status}</p>",
}


def exported_names() -> list[str]:
    source = (CLIENT / "index.js").read_text()
    return sorted({name.strip() for group in re.findall(r"export \{([^}]*)\}", source) for name in group.split(",")})


def check(folder: Path, code: str) -> subprocess.CompletedProcess[str]:
    (folder / "page.tsx").write_text(code)
    (folder / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {
            "strict": True, "noEmit": True, "jsx": "react-jsx", "module": "esnext", "target": "es2020",
            "moduleResolution": "bundler", "skipLibCheck": False, "types": [],
            "typeRoots": [str(NODE_MODULES / "@types")],
            "paths": {"pyxle/client": [str(CLIENT / "index.d.ts")], "react": [str(NODE_MODULES / "@types" / "react")],
                      "react/jsx-runtime": [str(NODE_MODULES / "@types" / "react" / "jsx-runtime.d.ts")]},
        },
        "files": ["page.tsx"],
    }))
    return subprocess.run([str(NODE_MODULES / ".bin" / "tsc"), "-p", str(folder)], capture_output=True, text=True,
                          check=False)


def test_every_export_is_declared(tmp_path: Path) -> None:
    names = exported_names()
    assert {"Head", "Link", "Form", "useAction", "navigate", "Slot"} <= set(names)
    result = check(tmp_path, f"import {{ {', '.join(names)} }} from 'pyxle/client'\n"
                             f"export const all = [{', '.join(names)}]\n")
    assert result.returncode == 0, result.stdout + result.stderr


def test_page_code_type_checks_strictly(tmp_path: Path) -> None:
    result = check(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


@cites("docs/client.md", "In TypeScript, `alt` is a\nrequired prop of `Image`.")
def test_misuse_is_a_type_error(tmp_path: Path) -> None:
    """Each misuse sits under `@ts-expect-error`: tsc fails if any of them is *not* an error."""
    lines = "\n".join(f"      {{/* @ts-expect-error {what} */}}\n      {element}" for what, element in BAD.items())
    code = ("import { Link, Script, Image, Form, useWebSocket } from 'pyxle/client'\n"
            f"export default function Page() {{\n  return (\n    <main>\n{lines}\n    </main>\n  )\n}}\n")
    result = check(tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr


PARITY = """
import { useRef } from 'react'
import Link, { Form, Image, Script, Slot, SlotProvider, getRouter, navigate, useAction, usePathname, useSlot,
               useSlots } from 'pyxle/client'
import type { ActionFieldErrors, ImageLoader, PyxleRouter, SlotRegistry } from 'pyxle/client'

const cdn: ImageLoader = ({ src, width, quality }) => `https://cdn.example${src}?w=${width}&q=${quality ?? 75}`

export default function Page({ data, layoutData }: { data: { id: string }; layoutData: Record<string, unknown> }) {
  const path: string = usePathname()
  const save = useAction<{ title: string }, { saved: string }>('save', { pagePath: '/posts' })
  const fields: ActionFieldErrors | null = save.fields
  const saved: string | undefined = save.data?.saved
  const router: PyxleRouter | null = getRouter()
  const slots: SlotRegistry = useSlots()
  const headers = useSlot<{ who: string }>('header')
  const anchor = useRef<HTMLAnchorElement>(null)
  const picture = useRef<HTMLImageElement>(null)
  async function go(): Promise<void> {
    const shown: boolean = await navigate('/next', { scroll: 'preserve', shallow: true, replace: false })
    if (!shown && router) await router.refresh()
    const result = await save({ title: 'x' })
    if (!result.ok) console.log(result.fields?.title?.[0], result.error)
  }
  return (
    <main>
      <Link ref={anchor} href="/a" scroll="preserve" shallow prefetchTtl={5000} passHref>{path}</Link>
      <Form action="save" errorClassName="error" onSuccess={(result) => console.log(result.saved)}
            onError={(message, errors) => console.log(message, errors?.title)} />
      <Image ref={picture} src="/a.png" width={300} height={200} alt="" sizes="50vw" loader={cdn} quality={60}
             placeholder="blur" blurDataURL="data:image/png;base64,AA" fallbackSrc="/b.png"
             onLoad={(event) => console.log(event.target)} />
      <div style={{ position: 'relative' }}><Image src="/c.png" alt="" fill objectFit="contain" /></div>
      <Script integrity="sha384-x" crossOrigin="anonymous" src="/x.js" />
      <Script id="inline" strategy="afterInteractive">{'console.log(1)'}</Script>
      <Slot name="header" props={{ who: 'me' }} fallback={({ who }: { who: string }) => <b>{who}</b>} />
      <SlotProvider slots={{ aside: () => <i>aside</i>, footer: [() => 'f'] }}><Slot name="aside" /></SlotProvider>
      <button onClick={go}>{data.id} {String(layoutData.site)} {fields ? 'x' : ''} {saved} {Object.keys(slots).length}
        {headers ? headers.length : 0}</button>
    </main>
  )
}
"""

PARITY_BAD = {
    "a scroll value that does not exist": "<Link href='/a' scroll='smooth'>A</Link>",
    "fill with a width": "<Image src='/a.png' alt='' fill width={10} />",
    "a placeholder that does not exist": "<Image src='/a.png' alt='' width={1} height={1} placeholder='shimmer' />",
    "inline code that is not a string": "<Script>{42}</Script>",
}


def test_parity_exports_type_check_strictly_and_misuse_is_reported(tmp_path: Path) -> None:
    result = check(tmp_path, PARITY)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = "\n".join(f"      {{/* @ts-expect-error {what} */}}\n      {element}" for what, element in PARITY_BAD.items())
    code = ("import { Link, Script, Image } from 'pyxle/client'\n"
            f"export default function Page() {{\n  return (\n    <main>\n{lines}\n    </main>\n  )\n}}\n")
    result = check(tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr
