// <Script> and <Image>.
import { createElement as h, useEffect } from 'react'
import { Head } from './_head.js'

const loaded = new Set() // script srcs already added to this document

function inject(src, props) {
  if (loaded.has(src)) return
  loaded.add(src)
  const script = document.createElement('script')
  script.src = src
  script.async = true
  for (const [name, value] of Object.entries(props)) {
    if (name === 'onLoad') script.addEventListener('load', value)
    else if (name === 'onError') script.addEventListener('error', value)
    else if (value != null) script.setAttribute(name, String(value))
  }
  document.body.append(script)
}

// strategy: "beforeInteractive" (in the server-rendered head, runs before the page hydrates),
// "afterInteractive" (default: added once the page is interactive), "lazyOnload" (when idle).
export function Script({ src, strategy = 'afterInteractive', ...props }) {
  useEffect(() => {
    if (strategy === 'afterInteractive') inject(src, props)
    else if (strategy === 'lazyOnload') {
      const later = () => (window.requestIdleCallback || setTimeout)(() => inject(src, props))
      if (document.readyState === 'complete') later()
      else window.addEventListener('load', later, { once: true })
    }
  }, [src, strategy])
  if (strategy === 'beforeInteractive') {
    loaded.add(src)
    return h(Head, null, h('script', { src, key: `script:${src}` }))
  }
  return null
}

// <Image src width height alt />: dimensions always set (no layout shift), lazy by default;
// `priority` loads it eagerly at high priority and preloads it from the head.
export function Image({ src, width, height, alt = '', priority = false, loading, ...props }) {
  const img = h('img', {
    ...props, src, width, height, alt,
    loading: priority ? 'eager' : loading || 'lazy',
    decoding: priority ? 'sync' : 'async',
    fetchPriority: priority ? 'high' : undefined,
  })
  if (!priority) return img
  return h(
    'span',
    { style: { display: 'contents' } },
    h(Head, null, h('link', { rel: 'preload', as: 'image', href: src, key: `preload:${src}` })),
    img,
  )
}
