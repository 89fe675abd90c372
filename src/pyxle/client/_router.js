// Client-side navigation: fetch the page's navigation JSON, import its module on demand, render
// it into the same root, update the head and history. A page shows its data as of the click:
// the payload of a page with loaders is fetched again at each navigation, unless the app lets
// it be reused (navigation.defaultPrefetchTtl in pyxle.config.json, or `prefetchTtl` on a Link),
// and prefetching such a page fetches only its code. Payloads of pages without loaders are
// reused for 30 s (configure({ prefetchTtl })). invalidate() and x-pyxle-invalidate drop them.
// A loader that redirects answers {redirect: url}, which is followed (at most MAX_REDIRECTS, no loop).
// Each navigation (navigate, Back/Forward, refresh) takes a number: one that a later navigation
// has overtaken is dropped, and its request aborted, so the last thing the user did wins. Each history entry carries a
// key (history.state.pyxle): the scroll position of the page is kept under it as the user leaves
// the entry (for another page, another document, or another #hash entry of the same page), and put
// back when the user returns to it. A reload or a return from another document may find the page still
// too short for it (a streamed page whose boundaries have not arrived): it is tried again as the
// document grows, as the browser does, until the user takes over or the document has loaded.
// A navigation to a page under a loading.pyxl whose data has not arrived within LOADING_DELAY shows
// that page's layouts with the loading state in place of the page (see placeholder), as Next.js
// shows loading.js; a page without one keeps the page being left until the new one is ready.
import { flushSync } from 'react-dom'
import { holdHead, setBaseHead } from './_headdom.js'
import { csrfToken } from './_actions.js'
import { errorInfo, pageTree } from './_tree.js'
import { messageOf } from './_text.mjs'
import { announcer, arrived } from './_announce.js'
import { configureProgress, progress } from './_progress.js'
import { enqueue, makeWay } from './_queue.js'
import { hrefOf } from './_url.js'

// How long a navigation's data may take before its loading.pyxl shows (ms): a page whose data comes
// sooner shows at once, without a loading state flashing for a few frames in between; one that
// takes longer shows its loading state about as soon as a wait is noticed (see docs/client.md).
const LOADING_DELAY = 100
// nav: the latest navigation; moving: a go/popstate under way; restoring: the position the document
// is being scrolled to as it loads ({ top, stop }, see restore).
// dotted: the URL shapes of the pages a path with a dotted last segment may be; apiFolders: those
// of the api/ folders that hold routes, whose URLs are never pages (see isPage). shared: what names
// the code this document's pages share (see ownBuild). shown: the route and props of the page on
// screen, whose layouts' data a loading state shows with; left: the navigation whose loading state
// replaced it (the position it was left at is kept then); loadingPages: see placeholder. moves: how
// many navigations the user started (see moves); request: the one the latest navigation waits on;
// refreshing: the refresh under way ({ id, promise }, see refreshShown).
const state = { root: null, path: '', ttl: 30000, listeners: new Set(), rendering: false, failed: null,
                nav: 0, moving: null, key: '', restoring: null, dotted: [], apiFolders: [], shared: '',
                loadingPages: [], loadingDelay: LOADING_DELAY, shown: null, left: 0, moves: 0, request: null,
                refreshing: null }
// path+search -> { key, kind, time, promise, abort, body (once answered), dropped (by invalidate) }
const cache = new Map()
const MAX_REDIRECTS = 5
// How long a request for a page's data is joined by a click on the same link (a double click, an
// impatient second click) before such a click asks again instead (see load).
const RETRY_MS = 3000
const SCROLLS = 'pyxle-scroll'
const memory = new Map()
// What the user does to scroll (or to take over the page): a restoration under way stops for it.
const USER_INPUT = ['wheel', 'touchstart', 'keydown', 'pointerdown']
// React reveals streamed boundaries in batches, up to 300 ms after their HTML has arrived (so after
// the load event, at the end of a stream): the last try waits that long.
const REVEAL_MS = 400
// What a page that is still loading renders: it never resolves, so the nearest loading.pyxl shows.
const NEVER = new Promise(() => {})
function Pending() {
  throw NEVER
}

export function configure({ prefetchTtl, loadingDelay, progress } = {}) {
  if (typeof prefetchTtl === 'number') state.ttl = prefetchTtl
  if (typeof loadingDelay === 'number') state.loadingDelay = loadingDelay
  if (typeof progress === 'boolean') configureProgress(progress)
}

// `shown`: the route and props of the page the document was rendered with; `loadingPages`: see
// placeholder.
export function startRouter(root, dottedPages = [], apiFolders = [], shared = '', shown = null, loadingPages = []) {
  state.root = root
  state.dotted = dottedPages
  state.apiFolders = apiFolders
  state.shared = shared
  state.shown = shown
  state.loadingPages = loadingPages
  state.path = location.pathname + location.search
  entered()
  announcer() // empty: the first load says nothing
  // A reload, or a return from another document: back where the user left this entry.
  const top = positions().get(state.key)
  if (top !== undefined) restore(top)
  manualScroll()
  addEventListener('popstate', onPopState)
  addEventListener('pagehide', () => {
    remember()
    stopRestoring()
    // The browser's own restoration for the next document of this entry, until it starts the router.
    if ('scrollRestoration' in history) history.scrollRestoration = 'auto'
  })
  addEventListener('pageshow', (event) => event.persisted && manualScroll()) // back from the bfcache
  window.__PYXLE_ROUTER__ = { ...router, refreshWith, configure } // for devtools, tests and pyxle dev
}

// Scrolls to `top`; while the document is still loading and too short for it, again each time it
// grows (a streamed page gets taller as its Suspense boundaries arrive), as the browser does with
// scrollRestoration 'auto'. That ends when `top` is reached, when the user scrolls or interacts, when
// the router navigates, or once the document has loaded (after one last try, clamped to the page).
function restore(top) {
  const reached = () => {
    window.scrollTo(0, top)
    return Math.abs(window.scrollY - top) < 1
  }
  if (reached() || typeof ResizeObserver !== 'function') return
  const observer = new ResizeObserver(() => reached() && stop())
  let timer
  const last = () => {
    timer = setTimeout(() => {
      reached()
      stop()
    }, REVEAL_MS)
  }
  const stop = () => {
    observer.disconnect()
    clearTimeout(timer)
    removeEventListener('load', last)
    for (const type of USER_INPUT) removeEventListener(type, stop, true)
    state.restoring = null
  }
  state.restoring = { top, stop }
  observer.observe(document.documentElement)
  const container = document.getElementById('pyxle-root') // grows even where html and body are 100% tall
  if (container) observer.observe(container)
  for (const type of USER_INPUT) addEventListener(type, stop, { capture: true, passive: true })
  if (document.readyState === 'complete') last()
  else addEventListener('load', last, { once: true })
}

function stopRestoring() {
  if (state.restoring) state.restoring.stop()
}

// The router restores scroll itself: the browser would at popstate, before the page is shown.
function manualScroll() {
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual'
}

// The current history entry is shown: it gets a key when it has none.
function entered() {
  const entry = history.state || {}
  state.key = typeof entry.pyxle === 'string' ? entry.pyxle : newKey()
  if (entry.pyxle !== state.key) history.replaceState({ ...entry, pyxle: state.key }, '')
}

function newKey() {
  return Math.random().toString(36).slice(2)
}

// Entry key -> scrollY of its page when the user left it: in sessionStorage, shared by the
// tab's documents (in memory when storage is off).
function positions() {
  try {
    return new Map(JSON.parse(sessionStorage.getItem(SCROLLS)))
  } catch (error) {
    return memory
  }
}

// While a restoration is under way the user has not scrolled yet: its position is still theirs.
function remember() {
  const all = positions()
  all.delete(state.key) // the latest last: the oldest are dropped first
  all.set(state.key, state.restoring ? state.restoring.top : window.scrollY)
  try {
    sessionStorage.setItem(SCROLLS, JSON.stringify([...all].slice(-100)))
  } catch (error) {}
}

function keyOf(to) {
  const url = new URL(hrefOf(to), location.href)
  return { url, key: url.pathname + url.search }
}

// Schemes the router never goes to, wherever the URL came from (a loader's or an action's redirect,
// which may be an app's `?next=`, navigate(), a Link): javascript: (and vbscript:) would run in the
// page's origin, and a data: document is one the app never served. A server redirect there does
// nothing without JavaScript (browsers never follow one), so the router must not make it run.
// Read as the browser reads it (new URL: any case, leading spaces and control characters dropped).
const REFUSED = ['javascript:', 'vbscript:', 'data:']

export function refused(to) {
  let url
  try {
    url = new URL(hrefOf(to), location.href)
  } catch (error) {
    return false // no URL: navigate() rejects, as it did
  }
  if (!REFUSED.includes(url.protocol)) return false
  console.error(`Pyxle refused to navigate to ${url.href}: the router never goes to a ${url.protocol} URL`)
  return true
}

// API routes (pages/api/ answers /api/..., pages/admin/api/ /admin/api/...) are never pages: asking
// one for a page would run its handler, a GET that may do something, and once more with the full
// load that follows. Nor is a
// file (a last segment with an extension: /report.pdf, /files/x.bin; /v1.2/docs is a page): a
// prefetch would download all of it, again at each hover, as the answer is not navigation JSON.
// A dotted last segment is a page's where a page route takes it (/blog/v1.2 for
// pages/blog/[slug].pyxl, as Next.js navigates any Link to its pages client-side).
const FILE = /\.[^/.]+$/
export const isPage = (url) => {
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return false
  const segments = decodePath(url.pathname).split('/').slice(1)
  if (state.apiFolders.some((shape) => fits(segments.slice(0, shape.length), shape))) return false
  return !FILE.test(url.pathname) || state.dotted.some((shape) => fits(segments, shape))
}

// Whether a path's segments fit a page route's URL shape (RouteSpec.shapes): '=name' a segment
// of its own, '?' a parameter ([slug]), '*' a catch-all, which takes the rest (one or more).
function fits(segments, shape) {
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === '*') return segments.length > i
    if (i >= segments.length || (shape[i] !== '?' && shape[i] !== `=${segments[i]}`)) return false
  }
  return segments.length === shape.length
}

// kind "1" asks for the page's data; "prefetch" lets the server answer with only the page's
// code when its data could not be reused anyway (its loaders do not run then).
// An answer that is no page to show here (a 404 of a URL no page takes, a file, a mounted app's
// HTML) rejects, and is remembered as such (body null) for as long as a prefetch is, so hovering
// the link again asks nothing; a failure that may pass (the network, a 5xx) is forgotten, and
// asked again. A loader's error (a 404 too) that names its error page is shown (see shows).
function request(key, kind) {
  const controller = new AbortController()
  const entry = { key, time: Date.now(), body: undefined, kind, abort: () => controller.abort() }
  entry.promise = fetch(key, { headers: { 'x-pyxle-navigation': kind }, credentials: 'same-origin',
                               signal: controller.signal }).then(
    async (response) => {
      const json = (response.headers.get('content-type') || '').includes('json')
      const none = response.status === 404 || (!json && response.status < 500)
      // Anything but navigation JSON (a file, a mounted app's HTML) is left unread: a full load shows it.
      if (!json) {
        if (none) entry.body = null
        if (response.body) response.body.cancel().catch(() => {})
        throw new FullLoad(`navigation to ${key} needs a full load`)
      }
      const body = await response.json().catch(() => null)
      if (!body || (typeof body.redirect !== 'string' && !shows(body))) {
        if (none) entry.body = null
        throw new FullLoad(`navigation to ${key} needs a full load`)
      }
      const moved = movedTo(response, key)
      if (moved) body.shownAt = moved
      return (entry.body = body)
    },
  )
  cache.set(key, entry)
  entry.promise.catch(() => cache.get(key) === entry && entry.body === undefined && cache.delete(key))
  return entry
}

// Whether an answer is a page to show: the page's, or the error page (error.pyxl, not-found.pyxl)
// of a page whose loader failed, with its code, which a full load of the URL would render.
const shows = (body) => !!body.page && (body.ok === true || (body.ok === false && !!body.error))

// The props of the error page an error answer names, as the server renders it (see error_json).
const errorProps = (body) => ({ data: body.error, error: body.error, layoutData: body.layoutData || {} })

// Where a redirect on the way (the app's middleware: /account -> /login, which fetch follows) led
// the request for `key`, when it led elsewhere on this site: the page answered is shown at that URL.
function movedTo(response, key) {
  if (!response.redirected) return null
  const url = new URL(response.url)
  const at = url.pathname + url.search
  return url.origin === location.origin && at !== key ? at : null
}

// A cached payload may be shown while it carries data and is younger than the navigation's
// own `prefetchTtl`, else the page's (set by the server), else the default.
function fresh(entry, ttl) {
  const body = entry.body
  return !!(body && body.props) && Date.now() - entry.time < (ttl ?? body.prefetchTtl ?? state.ttl)
}

// A URL just found to be no page (a prefetch's 404) is loaded in full without asking again: the
// server's own page for it, with its status, is what the router would fall back to anyway.
// A request for the page's data under way (the same link clicked again) is joined, and the request
// of a navigation `id` overtook (to another page) aborted. One that invalidate() dropped meanwhile
// (an action changed cookies) asked as the visitor was before: it is asked again. So is one under
// way for longer than RETRY_MS, which it replaces: on a flaky network a request may never be
// answered, and clicking the link again is how a user asks again, as a browser's own load does.
// A prefetch of the code only (kind "prefetch") under way is not waited for: for a page with
// loaders its answer carries no data, so waiting cost a round trip, or for ever when it stalled.
async function load(key, ttl, id) {
  if (state.request && state.request.key !== key) state.request.abort()
  let hit = cache.get(key)
  if (hit && hit.body === undefined && hit.kind === '1' && Date.now() - hit.time > RETRY_MS) {
    hit.abort() // the navigation that waited on it was overtaken by this one
    hit = null
  }
  const joined = hit && hit.body === undefined && hit.kind === '1'
  if (hit && hit.body !== undefined) {
    if (fresh(hit, ttl) && !hit.dropped) return hit.body
    if (hit.body === null && Date.now() - hit.time < state.ttl) throw new FullLoad(`${key} needs a full load`)
  }
  const entry = (state.request = joined ? hit : request(key, '1'))
  const body = await entry.promise.catch((error) => {
    if (!entry.dropped) throw error
  })
  return entry.dropped && id === state.nav ? load(key, ttl, id) : body
}

// Renders the page at key for navigation `id`; answers the URL to go to instead when its loader
// redirects, false when a later navigation overtook this one (nothing is shown then). `given`: the
// page's navigation answer, already fetched. `waits`: a navigation by the user (a link, navigate,
// Back or Forward), which may show the page's loading state meanwhile (a refresh keeps the page).
async function show(key, ttl, id, given, waits = false) {
  if (waits) makeWay(key) // the user's navigation goes before the prefetches (see _queue.js)
  const cancel = !given && waits ? placeholder(key, ttl, id) : null
  let body
  try {
    body = given || (await load(key, ttl, id))
  } finally {
    if (cancel) cancel()
  }
  if (id !== state.nav) return false
  if (body.redirect) return body.redirect
  if (!ownBuild(body.page)) throw new FullLoad(`${key} is a page of another build: it needs a full load`)
  // The module and the stylesheets load together: one round trip after the answer, not two.
  const [module] = await Promise.all([import(/* @vite-ignore */ body.page.js), loadStyles(body.page.css)])
  if (id !== state.nav) return false
  if (state.left !== id) remember() // the page being left, as the user leaves it (before a loading state)
  showStyles(body.page.css)
  // A loader's error shows its error page, as the server renders it for the URL: inside the
  // layouts it shares with the page left (their state kept), its loaders run once.
  const props = body.ok ? body.props : errorProps(body)
  state.failed = null
  state.rendering = true
  try {
    flushSync(() => state.root.render(pageTree(module.route, props, body.routePath, csrfToken(), pageErrors)))
  } finally {
    state.rendering = false
  }
  if (state.failed) throw state.failed // thrown outside every error boundary: the caller loads the page in full
  state.shown = { route: module.route, props }
  setBaseHead(body.headLevels || [body.headMarkup || ''])
  state.path = body.shownAt || key
  notify()
  return null
}

// After Back, Forward or a refresh, the entry's URL becomes the one its page was shown at, when a
// redirect on the way led elsewhere (a refresh after signing out, which a guard sends to /login).
function keepShownUrl() {
  const shown = shownUrl(new URL(location.href))
  if (shown.href !== location.href) history.replaceState(history.state, '', shown.href)
}

// The URL of `url` the page just shown is at: `url` itself, or where a redirect on the way led
// (its #hash kept, as the browser keeps it through a redirect).
function shownUrl(url) {
  return state.path === url.pathname + url.search ? url : new URL(state.path + url.hash, location.href)
}

// Loads the page's stylesheets (css) where a full load of its URL has them: in its order, in place
// of the page's before (after the head's end marker when it had none), ahead of anything other code
// put in the head since. A stylesheet added by script does not hold the browser's rendering as the
// document's own do: each is linked inert (media "not all") and awaited, and applies with showStyles;
// one a navigation overtaken left styles nothing. Resolves once all have loaded; rejects when one
// fails, as a page's module that fails to import does: the page would show unstyled, so it is
// loaded in full instead, and the stylesheets shown stay until then (see go).
function loadStyles(css) {
  const present = ownStyles()
  const at = present[0] || document.querySelector('meta[name="pyxle-head"][content="end"]')?.nextSibling || null
  return Promise.all(css.map((href) => {
    let link = present.find((l) => l.getAttribute('href') === href)
    if (!link) {
      link = Object.assign(document.createElement('link'), { rel: 'stylesheet', media: 'not all', href })
      link.loaded = linkLoaded(link)
      document.head.insertBefore(link, at)
    }
    return link.loaded
  }))
}

// A failed link leaves the head, so the next navigation that needs it asks for it again.
function linkLoaded(link) {
  return new Promise((done, fail) => {
    link.onload = done
    link.onerror = () => {
      link.remove()
      fail(new Error(`the stylesheet ${link.getAttribute('href')} failed to load`))
    }
  })
}

// Just before the page loaded with them is rendered (the browser paints neither in between): its
// stylesheets apply, and the others go, as a full load of its URL has none of them. Only Pyxle's
// own (the build's /_pyxle/ files) are touched.
function showStyles(css) {
  for (const link of ownStyles()) {
    if (css.includes(link.getAttribute('href'))) link.removeAttribute('media')
    else link.remove()
  }
}

const ownStyles = () => [...document.querySelectorAll('link[rel="stylesheet"][href^="/_pyxle/"]')]

// The loading state of the page at key, while navigation `id` waits for its data: its module is
// imported at once, alongside the fetch (the document lists the pages under a loading.pyxl, with
// their modules: #pyxle-loading-pages), and if the data has not arrived within state.loadingDelay
// the page's layouts are shown with the loading.pyxl in place of the page. Data already prefetched,
// a page without loading.pyxl or a navigation overtaken shows none. Answers what cancels it (null:
// nothing to cancel), called as soon as the data arrives.
function placeholder(key, ttl, id) {
  const hit = cache.get(key)
  if (hit && fresh(hit, ttl)) return null
  const { url } = keyOf(key)
  const target = loadingPage(url)
  if (!target || !state.shown) return null
  const module = import(/* @vite-ignore */ target.js)
  module.catch(() => {}) // the navigation imports the page itself, and fails as it does without this
  let done = false
  const timer = setTimeout(async () => {
    let route
    try {
      route = (await module).route
    } catch (error) {
      return
    }
    if (done || id !== state.nav) return
    const tree = loadingTree(route, decodePath(url.pathname))
    if (!tree) return
    try {
      await loadStyles(target.css)
    } catch (error) {
      return // no loading state unstyled: the navigation fails on the same stylesheet, or shows its page
    }
    if (done || id !== state.nav) return
    if (state.left !== id) remember()
    state.left = id
    showStyles(target.css)
    holdHead()
    state.rendering = true
    try {
      flushSync(() => state.root.render(tree))
    } finally {
      state.rendering = false
      state.failed = null // what a layout throws here it throws (or not) with the page's data: the page decides
    }
  }, state.loadingDelay)
  return () => {
    done = true
    clearTimeout(timer)
  }
}

// The first of the document's #pyxle-loading-pages the URL fits ({js, css}), in the server's match
// order; null when that page has no loading.pyxl (listed only as matched first) or none fits.
function loadingPage(url) {
  const segments = decodePath(url.pathname).replace(/\/+$/, '').split('/').slice(1)
  const found = state.loadingPages.find(([shape]) => fits(segments, shape))
  return found ? found[1] : null
}

// The route's layouts with its loading.pyxl in place of the page: only the layouts the page shown
// also has (the same files, from the outermost), whose loader data it holds; the innermost
// loading.pyxl around them shows (one inside a layout new to the navigation would need that
// layout's data). Null when there is none.
function loadingTree(route, routePath) {
  const shown = state.shown.route.layouts
  let same = 0
  while (same < route.layouts.length && same < shown.length && route.layouts[same][0] === shown[same][0]) same++
  const loading = (route.loading || []).filter(([at]) => at <= same)
  if (!loading.length) return null
  const at = loading[loading.length - 1][0]
  // The error boundary where the page has it, so that the page replaces the loading state in place.
  const [errorAt, errorPage] = route.error || [route.layouts.length, null]
  const error = errorAt <= at ? [errorAt, errorPage] : [-1, null]
  const layoutData = (state.shown.props && state.shown.props.layoutData) || {}
  const waiting = { ...route, layouts: route.layouts.slice(0, at), loading, error, page: { default: Pending } }
  return pageTree(waiting, { data: {}, layoutData }, routePath, csrfToken(), pageErrors)
}

// Whether a page's module shares this document's code. After a deploy that changed it (React, the
// layouts), the new module imports copies of its own, which this document's React cannot render
// (hooks fail on a second React): the page is loaded in full instead, before its module is imported,
// as Next.js does for a new build id. A deploy that changed only pages' own modules keeps it.
function ownBuild(page) {
  return (page.shared || '') === state.shared
}

// To `top` when known (a position restored), else to the #hash (returning its target), else to the top.
function scrollAfter(url, top) {
  if (top === undefined && url.hash) {
    const target = document.getElementById(decodePath(url.hash.slice(1)))
    if (target) {
      target.scrollIntoView()
      return target
    }
  }
  window.scrollTo(0, top || 0)
}

// Resolves to true once the page is shown client-side, false when the browser loads it in full
// instead (another origin, a failed navigation), a later navigation overtook this one, or the URL
// (or a redirect on the way) is one the router refuses (see refused).
// Options: replace, scroll (true: to the top or the #hash; false or 'preserve': stay),
// updateHistory (false: the current entry is replaced, as by replace), prefetchTtl (ms a prefetched payload may be reused
// for), and shallow, accepted as Pyxle 0.9 did (the page's loaders still run).
export function navigate(to, options = {}) {
  if (refused(to)) return Promise.resolve(false) // the user stays on the page
  state.moves++
  stopRestoring()
  return moving(go(to, options, [], ++state.nav))
}

// Notes a go/popstate under way until it settles, which a refresh() then leaves alone; the
// progress bar shows while it waits.
function moving(promise) {
  const id = (state.moving = state.nav)
  const done = progress()
  promise.finally(() => {
    done()
    if (state.moving === id) state.moving = null
  })
  return promise
}

// `visited`: the URLs this navigation was redirected from; a loop or a long chain loads in full.
async function go(to, options, visited, id) {
  const { url, key } = keyOf(to)
  if (refused(url)) return false // a redirect there: the navigation ends, the page shown stays
  if (!isPage(url) || !state.root || visited.length > MAX_REDIRECTS || visited.includes(key)) {
    location.assign(url.href)
    return false
  }
  const before = document.activeElement
  let redirect
  try {
    redirect = await show(key, visited.length ? undefined : options.prefetchTtl, id, undefined, true)
  } catch (error) {
    if (id !== state.nav) return false
    told(`navigation to ${url.pathname}${url.search} failed, loading it in full:`, error)
    location.assign(url.href) // a failed navigation falls back to a full page load
    return false
  }
  if (redirect === false) return false
  if (redirect) return go(redirect, options, [...visited, key], id)
  const { replace = false, scroll = true, updateHistory = true } = options
  const entry = { pyxle: (state.key = newKey()) }
  const shown = shownUrl(url)
  // A link to the URL shown replaces its entry, as the browser does without JavaScript; so does
  // updateHistory: false, as in Pyxle 0.9 (the address bar shows the page, no entry is added).
  if (replace || !updateHistory || shown.href === location.href) history.replaceState(entry, '', shown.href)
  else history.pushState(entry, '', shown.href)
  arrived(before, decodePath(shown.pathname), scroll === true ? scrollAfter(shown) : undefined)
  return true
}

// Back or Forward overtakes a navigation under way (a refresh of the page shown goes on when
// the entry is the page's own: a hash change).
function onPopState() {
  state.moves++
  stopRestoring()
  const key = location.pathname + location.search
  if (key !== state.path) return moving(popTo(key, ++state.nav))
  if (state.moving === state.nav) state.nav++
  hashMoved()
}

// Another entry of the page shown: the entry left keeps the position (popstate comes before the
// browser scrolls to a new #hash). A new entry (a #hash link, location.hash) is then scrolled to its
// anchor by the browser; one that Back or Forward went to gets the position it was left at, as
// the browser restores it natively (scrollRestoration is 'manual' for the router's sake).
function hashMoved() {
  const created = typeof (history.state || {}).pyxle !== 'string'
  remember()
  entered()
  if (!created) scrollAfter(new URL(location.href), positions().get(state.key))
}

async function popTo(key, id) {
  const before = document.activeElement
  let redirect
  try {
    redirect = await show(key, undefined, id, undefined, true)
  } catch (error) {
    if (id !== state.nav) return false
    told(`going back or forward to ${key} failed, loading it in full:`, error)
    location.reload()
    return false
  }
  if (redirect === false) return false
  if (redirect) return go(redirect, { replace: true }, [key], id)
  keepShownUrl()
  entered()
  scrollAfter(new URL(location.href), positions().get(state.key))
  arrived(before, decodePath(location.pathname))
  return true
}

// How many navigations the user has started (navigate, Back, Forward): an action's redirect is
// followed only if none started since the action was sent (see callAction).
export const moves = () => state.moves

// Fetches a page's code and stylesheets (and its data, when that may be reused) ahead of a
// navigation, ahead of the prefetches of links scrolled into view (see _queue.js). Resolves to true
// when the page can then be shown client-side; false too when a navigation dropped or aborted it.
export function prefetch(to, { prefetchTtl } = {}) {
  return queuePrefetch(to, prefetchTtl, true).promise
}

// The prefetch of a Link scrolled into view: behind the others. Answers its task, whose drop()
// takes it out of the queue when the link leaves the screen before its turn.
export function prefetchInView(to, { prefetchTtl } = {}) {
  return queuePrefetch(to, prefetchTtl, false)
}

function queuePrefetch(to, prefetchTtl, first) {
  const { url, key } = keyOf(to)
  if (!isPage(url)) return { promise: Promise.resolve(false), drop() {} }
  return enqueue(key, (task) => fetchAhead(task, prefetchTtl), first)
}

// What a prefetch asks for: the page's answer, then its module and stylesheets together. A
// navigation to another page aborts what this prefetch asked for itself (see makeWay); an answer
// it joined is another's to abort.
async function fetchAhead(task, prefetchTtl) {
  const { key } = task
  const hit = cache.get(key)
  const young = hit && Date.now() - hit.time < state.ttl
  // A request under way is joined, unless it asks for the code only and this prefetch wants the data.
  const pending = hit && hit.body === undefined && (!prefetchTtl || hit.kind === '1')
  const reuse = hit && (pending || (prefetchTtl && hit.body !== null ? fresh(hit, prefetchTtl) : young))
  const entry = reuse ? hit : request(key, prefetchTtl ? '1' : 'prefetch')
  const styles = new AbortController()
  task.abort = () => {
    if (!reuse) entry.abort()
    styles.abort()
  }
  const body = await entry.promise
  if (!body.page || !ownBuild(body.page)) return false
  const [module] = await Promise.allSettled([import(/* @vite-ignore */ body.page.js),
                                             fetchStyles(body.page.css, styles.signal)])
  return module.status === 'fulfilled'
}

// Fetches a page's stylesheets into the browser's cache, where the link loadStyles adds finds them
// (the build's files are cacheable, see _static.py), without applying them: a stylesheet linked
// inert would sit in the head among the page's, and a <link rel=preload> left unused a few seconds
// is a console warning. Those the document already links are not asked for.
function fetchStyles(css, signal) {
  const present = new Set(ownStyles().map((link) => link.getAttribute('href')))
  return Promise.all(css.filter((href) => !present.has(href)).map((href) =>
    fetch(href, { credentials: 'same-origin', signal }).then((response) => response.arrayBuffer())))
}

// Drops the cached payload of one page (or of every page); true when there was one. A path
// matches however it is percent-encoded (/tag/café, /tag/caf%C3%A9); without a query it names
// the page under every query string, as cache.invalidate does on the server. A route pattern
// (/posts/[id], /posts/*) names every page it matches, as there too.
export function invalidate(to) {
  const named = to === undefined ? null : keyOf(to).url
  let had = false
  for (const [key, entry] of cache) {
    if (named && !names(named, key)) continue
    cache.delete(key)
    entry.dropped = had = true
    entry.abort() // a request under way asks again for the navigation waiting on it (see load)
  }
  return had
}

// Whether `url` names the page at `key` (a path and query): the same path, or one its route
// pattern matches, and the same query when `url` has one; each percent-decoded.
function names(url, key) {
  const at = keyOf(key).url
  const path = decodePath(url.pathname)
  const matches = patternOf(path)
  return (matches ? matches(decodePath(at.pathname)) : decodePath(at.pathname) === path) &&
    (!url.search || decodePath(at.search) === decodePath(url.search))
}

// A route pattern as cache.invalidate reads one on the server (pyxle/cache/_rules.py): `*` or
// `[id]` is one segment; last, `[...rest]` is one or more and `*` or `[[...rest]]` any number.
// Returns whether a decoded path is one it matches, or null when `path` is one page's path.
const PARAM = /^\[[^[\].]+\]$/
const REST = /^\[\.\.\.[^[\]]+\]$/
const OPTIONAL_REST = /^\[\[\.\.\.[^[\]]+\]\]$/
const ONE = (part) => part === '*' || PARAM.test(part)

function patternOf(path) {
  const parts = path.split('/').filter(Boolean)
  if (!parts.some((part) => ONE(part) || REST.test(part) || OPTIONAL_REST.test(part))) return null
  const last = parts[parts.length - 1]
  const rest = last === '*' || OPTIONAL_REST.test(last) ? 'any' : REST.test(last) ? 'some' : 'none'
  if (rest !== 'none') parts.pop()
  return (at) => {
    const segments = at.split('/').filter(Boolean)
    const fits = rest === 'any' ? segments.length >= parts.length
      : rest === 'some' ? segments.length > parts.length : segments.length === parts.length
    return fits && parts.every((part, i) => ONE(part) || part === segments[i])
  }
}

// Shows the current page again with fresh data; if that fails, the page is loaded in full.
// Resolves to false when a navigation overtakes it, or when one is already under way: the page
// is being left then, and the navigation goes on.
export function refresh() {
  return refreshWith()
}

// A refresh of the page shown, joining one under way: an action that found the page out of date
// (see callAction) needs it shown as the server has it now, which a refresh under way fetches too
// (under pyxle dev, the module Fast Refresh applied, which a new fetch would replace).
export function refreshShown() {
  const under = state.refreshing
  return under && under.id === state.nav ? under.promise : refresh()
}

// pyxle dev (_dev.js, through window.__PYXLE_ROUTER__): `answer`, the current page's navigation
// answer just fetched, is shown as it is. Its module is the one Fast Refresh has applied, where
// fetching again could bring a newer build's, which would remount the page (state lost).
// The refresh started is noted until it settles (see refreshShown).
function refreshWith(answer) {
  const before = state.nav
  const promise = showAgain(answer)
  if (state.nav === before) return promise // none started: a navigation is under way
  const under = (state.refreshing = { id: state.nav, promise })
  const settled = () => state.refreshing === under && (state.refreshing = null)
  promise.then(settled, settled)
  return promise
}

async function showAgain(answer) {
  if (!state.root) return false
  const key = state.path
  cache.delete(key)
  if (state.moving === state.nav) return false
  const id = ++state.nav
  try {
    const redirect = await show(key, undefined, id, answer && answer.ok && answer.page ? answer : undefined)
    if (typeof redirect === 'string') return go(redirect, { replace: true }, [key], id)
    if (redirect !== false) keepShownUrl()
    return redirect !== false
  } catch (error) {
    if (id !== state.nav) return false
    told(`showing ${key} again failed, loading it in full:`, error)
    location.reload()
    return false
  }
}

const router = { navigate, prefetch, refresh, invalidate }

// The router once the page has hydrated (null on the server and before).
export function getRouter() {
  return state.root ? router : null
}

// What the router meant to load in full (a URL that is no page here, a page of another build):
// not an error to report.
class FullLoad extends Error {}

let reported // the error uncaughtError logged last: not logged twice

// pyxle dev only: the exception that turns a navigation into a full load, which clears the page
// that could say why (an error React threw as it showed the page, a module that failed to load).
function told(what, error) {
  if (process.env.NODE_ENV === 'production' || error instanceof FullLoad || error === reported) return
  console.error(`[pyxle] ${what}`, error)
}

// React 19 reports a render that throws to the root's onUncaughtError instead of throwing from
// flushSync (React 18 throws): either way a navigation whose render throws outside every error
// boundary (a layout above the error page, the error page itself) becomes a full page load, so
// the server answers with its error page rather than leaving the page blank.
export function uncaughtError(error) {
  reported = error
  if (state.rendering) state.failed = error
  if (typeof reportError === 'function') reportError(error) // what React does without the option
  else console.error(error)
}

// A page's error boundary caught what it threw (see _tree.js): React logged it and shows the error
// page, also when a navigation's page threw as it was first rendered: the navigation shows it in
// place, at the page's URL, as Next.js and Remix do (a full load would run the loaders again and
// lose the layouts' state). Window 'error' listeners hear of it (the dev overlay, error
// reporting), as of an uncaught error.
function caughtError(error) {
  dispatchEvent(new ErrorEvent('error', { error, message: messageOf(error) }))
}

// What the server's error page says of a render error under pyxle serve (see _endpoint.py).
const untold = () => ({ message: 'Internal Server Error', statusCode: 500, data: {}, type: 'ServerError' })

// What the error page gets for what a page threw (as it hydrates, as the router shows it, after a
// click): its text only where the server's own error pages show exceptions (pyxle dev, or
// `debug`), which its document says (<meta name="pyxle-errors">, see _document.py); under pyxle
// serve what the server's says, nothing of it. The console has the error either way.
function describeError(error) {
  return exposesErrors() ? errorInfo(error) : untold()
}

const exposesErrors = () => document.querySelector('meta[name="pyxle-errors"]') !== null

// The router's side of the pages' error boundaries (see pageTree).
export const pageErrors = { caught: caughtError, describe: describeError }

// The path shown, decoded as the server sees it (so it matches server rendering).
export function currentPath() {
  return decodePath(state.path ? state.path.split('?')[0] : location.pathname)
}

// Whether the page shown is at `to` (a path, percent-encoded or not; its query, if it has one,
// must match too).
export function isCurrent(to) {
  return names(keyOf(to).url, state.path || location.pathname + location.search)
}

// Percent-decodes as the server does (Python's urllib.parse.unquote): each run of escapes is read as
// UTF-8 with a bad byte becoming U+FFFD, and a '%' without two hex digits stays as it is. Where
// decodeURIComponent throws (`/tag/%ff`) the raw path would differ from what the server rendered,
// and hydration would fail on it. TextDecoder replaces bad bytes as Python does (maximal subparts);
// ignoreBOM keeps a U+FEFF that Python keeps too.
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

export function decodePath(path) {
  return path.replace(ESCAPES, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(run.slice(3 * i + 1, 3 * i + 3), 16)
    return utf8.decode(bytes)
  })
}

export function subscribe(listener) {
  state.listeners.add(listener)
  return () => state.listeners.delete(listener)
}

function notify() {
  for (const listener of state.listeners) listener()
}
