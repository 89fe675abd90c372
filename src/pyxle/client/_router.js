// Client-side navigation: fetch the page's navigation JSON, import its module on demand, render
// it into the same root, update the head and history. Payloads are cached (30 s by default) so
// prefetched pages open at once; invalidate() and x-pyxle-invalidate drop them. A loader that
// redirects answers {redirect: url}, which is followed here (at most MAX_REDIRECTS in a row).
import { flushSync } from 'react-dom'
import { setBaseHead } from './_headdom.js'
import { csrfToken } from './_actions.js'
import { pageTree } from './_tree.js'

const state = { root: null, path: '', ttl: 30000, listeners: new Set(), rendering: false, failed: null }
const cache = new Map() // path+search -> { time, promise }
const MAX_REDIRECTS = 5

export function configure({ prefetchTtl } = {}) {
  if (typeof prefetchTtl === 'number') state.ttl = prefetchTtl
}

export function startRouter(root) {
  state.root = root
  state.path = location.pathname + location.search
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual'
  history.replaceState({ ...(history.state || {}), pyxle: true, scroll: window.scrollY }, '')
  addEventListener('popstate', onPopState)
  window.__PYXLE_ROUTER__ = { navigate, prefetch, refresh, invalidate } // for devtools and tests
}

function keyOf(to) {
  const url = new URL(to, location.href)
  return { url, key: url.pathname + url.search }
}

function load(key) {
  const hit = cache.get(key)
  if (hit && Date.now() - hit.time < state.ttl) return hit.promise
  const promise = fetch(key, { headers: { 'x-pyxle-navigation': '1' }, credentials: 'same-origin' }).then(
    async (response) => {
      const body = await response.json()
      if (body && typeof body.redirect === 'string') return body
      if (!body || !body.ok || !body.page) throw new Error(`navigation to ${key} needs a full load`)
      return body
    },
  )
  cache.set(key, { time: Date.now(), promise })
  promise.catch(() => cache.delete(key))
  return promise
}

// Renders the page at key; answers the URL to go to instead when its loader redirects.
async function show(key) {
  const body = await load(key)
  if (body.redirect) return body.redirect
  const module = await import(/* @vite-ignore */ body.page.js)
  for (const href of body.page.css) {
    if (!document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`)) {
      const link = document.createElement('link')
      link.rel = 'stylesheet'
      link.href = href
      document.head.append(link)
    }
  }
  state.failed = null
  state.rendering = true
  try {
    flushSync(() => state.root.render(pageTree(module.route, body.props, body.routePath, csrfToken())))
  } finally {
    state.rendering = false
  }
  if (state.failed) throw state.failed // the caller falls back to a full page load
  setBaseHead(body.headLevels || [body.headMarkup || ''])
  state.path = key
  notify()
  return null
}

function scrollAfter(url, top) {
  if (url.hash) {
    const target = document.getElementById(decodeURIComponent(url.hash.slice(1)))
    if (target) return target.scrollIntoView()
  }
  window.scrollTo(0, top)
}

export function navigate(to, { replace = false, scroll = true } = {}) {
  return go(to, { replace, scroll }, 0)
}

async function go(to, { replace, scroll }, hops) {
  const { url, key } = keyOf(to)
  if (url.origin !== location.origin || !state.root || hops > MAX_REDIRECTS) {
    location.assign(url.href)
    return
  }
  history.replaceState({ ...(history.state || {}), pyxle: true, scroll: window.scrollY }, '')
  let redirect
  try {
    redirect = await show(key)
  } catch (error) {
    location.assign(url.href) // a failed navigation falls back to a full page load
    return
  }
  if (redirect) return go(redirect, { replace, scroll }, hops + 1)
  const entry = { pyxle: true, scroll: 0 }
  if (replace) history.replaceState(entry, '', url.href)
  else history.pushState(entry, '', url.href)
  if (scroll) scrollAfter(url, 0)
}

async function onPopState(event) {
  const key = location.pathname + location.search
  if (key === state.path) return // a hash change on the same page
  let redirect
  try {
    redirect = await show(key)
  } catch (error) {
    location.reload()
    return
  }
  if (redirect) return go(redirect, { replace: true, scroll: true }, 1)
  window.scrollTo(0, (event.state && event.state.scroll) || 0)
}

export function prefetch(to) {
  const { url, key } = keyOf(to)
  if (url.origin !== location.origin) return Promise.resolve()
  return load(key)
    .then((body) => body.page && import(/* @vite-ignore */ body.page.js))
    .catch(() => {})
}

export function invalidate(to) {
  if (to === undefined) cache.clear()
  else cache.delete(keyOf(to).key)
}

export async function refresh() {
  cache.delete(state.path)
  const redirect = await show(state.path)
  if (redirect) await go(redirect, { replace: true, scroll: true }, 1)
}

// React 19 reports a render that throws to the root's onUncaughtError instead of throwing from
// flushSync (React 18 throws): either way a navigation whose page throws becomes a full page load,
// so the server answers with its error page rather than leaving the page blank.
export function uncaughtError(error) {
  if (state.rendering) state.failed = error
  if (typeof reportError === 'function') reportError(error) // what React does without the option
  else console.error(error)
}

export function currentPath() {
  return state.path ? state.path.split('?')[0] : location.pathname
}

export function subscribe(listener) {
  state.listeners.add(listener)
  return () => state.listeners.delete(listener)
}

function notify() {
  for (const listener of state.listeners) listener()
}
