// <Script>: third-party and inline scripts, each run once per document.
import { createElement as h, useContext, useEffect } from 'react'
import { HeadCollector } from './_context.js'
import { Head } from './_head.js'

const loaded = new Set() // keys of the scripts already in this document

function hash(text) {
  let n = 5381
  for (let i = 0; i < text.length; i++) n = (n * 33) ^ text.charCodeAt(i)
  return (n >>> 0).toString(36)
}

function inject(key, src, code, attributes, onLoad, onError) {
  if (loaded.has(key)) return
  loaded.add(key)
  if (document.querySelector(`script[data-pyxle-script="${CSS.escape(key)}"]`)) return // it came with the page
  const script = document.createElement('script')
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null && value !== false) script.setAttribute(name, value === true ? '' : String(value))
  }
  script.setAttribute('data-pyxle-script', key)
  if (onLoad) script.addEventListener('load', onLoad)
  if (onError) script.addEventListener('error', onError)
  if (src) script.src = src
  else script.textContent = code
  document.body.append(script)
  if (!src && onLoad) onLoad() // an inline script has run once appended
}

// A third-party or inline script (`src`, or the code as children), run once per document.
// strategy: "beforeInteractive" (in the server-rendered head, runs before the page hydrates),
// "afterInteractive" (default: added once the page is interactive), "lazyOnload" (when idle).
// Other attributes (integrity, crossOrigin, nonce, id, type...) go on the <script> as given.
export function Script({ src, strategy = 'afterInteractive', children, onLoad, onError, module, ...attributes }) {
  const server = useContext(HeadCollector) !== null
  const code = [].concat(children ?? []).join('')
  const key = src || (attributes.id ? `#${attributes.id}` : `inline:${hash(code)}`)
  if (module) attributes.type = 'module'
  useEffect(() => {
    const run = () => inject(key, src, code, attributes, onLoad, onError)
    const idle = () => (window.requestIdleCallback || setTimeout)(run)
    if (strategy !== 'lazyOnload') run()
    else if (document.readyState === 'complete') idle()
    else window.addEventListener('load', idle, { once: true })
  }, [key, strategy])
  if (strategy !== 'beforeInteractive' || !server) return null
  return h(Head, null, h('script', { ...attributes, src, 'data-pyxle-script': key }, code || undefined))
}
