// <Script>: third-party and inline scripts, each run once per document. Every mounted instance
// hears how its script went (onLoad, or onError with an Error), also one mounted once it had loaded:
// a second <Script> with the same src, or one on the page a client navigation shows.
import { createElement as h, useContext, useEffect, useRef } from 'react'
import { HeadCollector } from './_context.js'
import { Head } from './_head.js'
import { withNonce } from './_nonce.js'

// key -> { state: 'loading' | 'loaded' | 'failed', event, waiters }: the scripts of this document.
const scripts = new Map()

function hash(text) {
  let n = 5381
  for (let i = 0; i < text.length; i++) n = (n * 33) ^ text.charCodeAt(i)
  return (n >>> 0).toString(36)
}

function settle(record, state, event) {
  if (record.state !== 'loading') return
  record.state = state
  record.event = event
  for (const waiter of record.waiters) waiter(record)
  record.waiters.clear()
}

function watch(record, script) {
  script.addEventListener('load', (event) => settle(record, 'loaded', event))
  script.addEventListener('error', (event) => settle(record, 'failed', event))
}

function inject(key, src, code, attributes) {
  const record = { state: 'loading', event: undefined, waiters: new Set() }
  scripts.set(key, record)
  const present = document.querySelector(`script[data-pyxle-script="${CSS.escape(key)}"]`)
  if (present) { // it came with the page (beforeInteractive): it has run, unless async and still loading
    if (!(present.src && present.async && document.readyState !== 'complete')) settle(record, 'loaded')
    else {
      watch(record, present)
      window.addEventListener('load', () => settle(record, 'loaded'), { once: true })
    }
    return record
  }
  const script = document.createElement('script')
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null && value !== false) script.setAttribute(name, value === true ? '' : String(value))
  }
  script.setAttribute('data-pyxle-script', key)
  withNonce(script)
  watch(record, script)
  if (src) script.src = src
  else script.textContent = code
  document.body.append(script)
  if (!src) settle(record, 'loaded') // an inline script has run once appended
  return record
}

// A third-party or inline script (`src`, or the code as children), run once per document.
// strategy: "beforeInteractive" (in the server-rendered head, runs before the page hydrates),
// "afterInteractive" (default: added once the page is interactive), "lazyOnload" (when idle).
// Other attributes (integrity, crossOrigin, nonce, id, type...) go on the <script> as given.
// onLoad(event?) and onError(error: Error, Pyxle 0.9's contract; its cause the error event) reach
// each instance once, while it is mounted.
export function Script({ src, strategy = 'afterInteractive', children, onLoad, onError, module, ...attributes }) {
  const server = useContext(HeadCollector) !== null
  const code = [].concat(children ?? []).join('')
  const key = src || (attributes.id ? `#${attributes.id}` : `inline:${hash(code)}`)
  const callbacks = useRef(null)
  callbacks.current = { onLoad, onError }
  if (module) attributes.type = 'module'
  useEffect(() => {
    let mounted = true
    const hear = (record) => {
      if (!mounted) return
      const { onLoad: loaded, onError: failed } = callbacks.current
      if (record.state === 'loaded') loaded?.(record.event)
      else failed?.(new Error(`Failed to load script: ${src}`, { cause: record.event }))
    }
    const run = () => {
      const known = scripts.get(key)
      const record = known || inject(key, src, code, attributes)
      if (record.state === 'loading') record.waiters.add(hear)
      else if (known) queueMicrotask(() => hear(record)) // loaded (or failed) before: told at once, asynchronously
      else hear(record) // an inline script, run as it was appended
    }
    const idle = () => (window.requestIdleCallback || setTimeout)(run)
    if (strategy !== 'lazyOnload') run()
    else if (document.readyState === 'complete') idle()
    else window.addEventListener('load', idle, { once: true })
    return () => {
      mounted = false
      const record = scripts.get(key)
      if (record) record.waiters.delete(hear)
    }
  }, [key, strategy])
  if (strategy !== 'beforeInteractive' || !server) return null
  return h(Head, null, h('script', { ...attributes, src, 'data-pyxle-script': key }, code || undefined))
}
