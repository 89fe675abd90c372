// Server rendering of one page: the HTML of the tree and the merged <Head> markup.
//
// A page renders with renderToString, the fast path, until it suspends (a <Suspense> child
// waiting for data, a lazy component): renderToString then leaves that boundary to the browser
// (`<!--$!-->`), or throws when nothing but the shell could wait (a `use(promise)` outside every
// boundary), and the page is rendered again with React's streaming renderer, as it will be from
// then on. A streamed render answers with its shell (fallbacks in place of what is still loading)
// and sends the rest as it completes; `complete` (bots, pages being stored) waits for everything
// and answers once.
import { createElement as h } from 'react'
import { renderToPipeableStream, renderToStaticMarkup, renderToString } from 'react-dom/server'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { messageOf, stackOf, textOf } from './_nodetext.mjs'
import { HeadCollector } from './_context.js'
import { mergeHead } from './_head.js'
import { pageTree } from './_tree.js'

// React 19 preloads the images it renders eagerly, with links at the start of the markup.
const IMAGE_HINTS = /^(?:<link rel="preload" as="image"[^>]*>)+/
const SUSPENDED = '<!--$!-->' // a boundary renderToString could not finish
// What renderToString throws (React 18 and 19) when the page suspends outside every boundary.
const SUSPENDED_SHELL = 'suspended while responding to synchronous input'

// `head` holds the merged <Head> markup of each nesting level: layouts outermost first, the page
// last, so the server can interleave each level's HEAD variable at the right precedence.
function finish(route, collected, markup) {
  let html = markup
  const head = []
  for (let level = 0; level <= route.layouts.length; level++) {
    const entries = collected.filter((entry) => entry.level === level)
    head.push(entries.length ? renderToStaticMarkup(mergeHead(entries)) : '')
  }
  // Those hints belong in the head, where the server merges them with <Image priority>'s own.
  const hints = IMAGE_HINTS.exec(html)
  if (hints) {
    html = html.slice(hints[0].length)
    head[head.length - 1] += hints[0]
  }
  return { html, head }
}

function tree(route, request, collected) {
  const page = pageTree(route, request.props, request.routePath, request.csrfToken || '')
  return h(HeadCollector.Provider, { value: collected }, page)
}

// A streamed render includes the root element the browser hydrates into, so that a boundary at
// the very top of the page (loading.pyxl without a layout) has an element around it: React
// streams only boundaries inside one. Its answers say so ({root: true}).
function rootedTree(route, request, collected) {
  return h('div', { id: 'pyxle-root' }, tree(route, request, collected))
}

// `emit(message)` sends a message of this render to the server. The fast path returns its answer,
// {html, head}; a streamed render returns {abort()} and emits {html, head} (all was ready at once),
// or {html, head, more: true}, then {chunk}... and {end: true}; or {error, stack} if the shell
// failed, or loading.pyxl's boundary before anything was sent (see final). `options.timeout` (ms):
// what is still loading then is left to the browser.
// The last message of a streamed render ({html, head} or {end: true}) also holds `partial: true`
// when a boundary was left to the browser (it threw, or was still loading at the timeout): its
// markup then holds that boundary's fallback, so the page must not be stored for others.
export function renderPage(route, request, emit, options = {}) {
  if (!route.streams) {
    const collected = []
    let html
    try {
      html = renderToString(tree(route, request, collected))
    } catch (error) {
      if (!messageOf(error).includes(SUSPENDED_SHELL)) throw error
      html = SUSPENDED // its shell waits: the streaming renderer waits for it
    }
    if (!html.includes(SUSPENDED)) return finish(route, collected, html)
    route.streams = true
  }
  const stream = streamPage(route, request, emit, options)
  return { abort: () => stream.abort(CLIENT_GONE) }
}

const CLIENT_GONE = new Error('the client went away') // not an error of the page: not logged
const PROBED = new Error('probe done') // ends failsWithoutLoading's render: not logged

// Whether the page's tree fails outside every boundary of its own, rendered without its folders'
// loading.pyxl: the failed boundary was then loading.pyxl's, which holds the whole page, so the
// page failed. `done(error)`, or `done(null)` when the shell renders or `timeout` ms have passed.
function failsWithoutLoading(route, request, timeout, done) {
  let settled = false
  let stream = null
  const settle = (error) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    setImmediate(() => stream.abort(PROBED))
    done(error)
  }
  const timer = setTimeout(() => settle(null), timeout)
  stream = renderToPipeableStream(tree({ ...route, loading: [] }, request, []), {
    onShellReady: () => settle(null),
    onShellError: (error) => settle(error),
    onError: () => undefined, // logged by the render this one checks
  })
}

function streamPage(route, request, emit, { timeout = 10000, log = console.error } = {}) {
  const deadline = Date.now() + timeout // the probe of final() too must answer within the timeout
  const collected = []
  const decoder = new TextDecoder()
  let buffered = '' // what React wrote before the first answer
  let streaming = false // the first answer is out: each write is a chunk of its own
  let ended = false
  let partial = false // a boundary was left to the browser (see onError)
  let failed = false // a boundary threw (not the timeout's): before the first answer, see final
  let unlogged = [] // what boundaries threw, logged once they are left to the browser
  const logFailures = () => unlogged.splice(0).forEach((note) => note())
  let stream = null
  const text = (chunk) => (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
  const sink = new Writable({
    write(chunk, _encoding, done) {
      if (streaming) emit({ chunk: text(chunk) })
      else buffered += text(chunk)
      done()
    },
    final(done) {
      ended = true
      clearTimeout(timer)
      const rest = decoder.decode()
      const left = partial ? { partial: true } : {}
      if (streaming) {
        if (rest) emit({ chunk: rest })
        emit({ end: true, ...left })
        return done()
      }
      const answer = () => {
        logFailures()
        emit({ ...finish(route, collected, buffered + rest), root: true, ...left })
        done()
      }
      // Nothing was sent yet: a boundary that threw is the page's failure when it is
      // loading.pyxl's (the page is then answered as a render error is), not a boundary of its own.
      if (!failed || !(route.loading || []).length) return answer()
      failsWithoutLoading(route, request, Math.max(0, deadline - Date.now()), (error) => {
        if (!error) return answer()
        unlogged = []
        emit({ error: messageOf(error), stack: stackOf(error) })
        done()
      })
    },
  })
  const expired = new Error(`still loading after ${timeout} ms`)
  const timer = setTimeout(() => stream.abort(expired), timeout)
  const answerShell = () => {
    if (ended) return // everything was ready with the shell: one answer (see final)
    streaming = true
    emit({ ...finish(route, collected, buffered), more: true, root: true })
    logFailures()
  }
  stream = renderToPipeableStream(rootedTree(route, request, collected), {
    // The configured Content-Security-Policy refuses inline scripts: React's, which put each
    // boundary in place, carry the nonce the server adds to this answer's policy.
    nonce: request.nonce,
    onShellReady() {
      if (request.complete) return
      stream.pipe(sink)
      setImmediate(answerShell) // after React wrote what was ready with the shell
    },
    onAllReady() {
      if (request.complete) stream.pipe(sink)
    },
    onShellError(error) {
      unlogged = [] // the shell's error is the answer
      clearTimeout(timer)
      ended = true
      emit({ error: messageOf(error), stack: stackOf(error) })
    },
    onError(error) {
      if (error === CLIENT_GONE) return undefined
      partial = true
      if (error !== expired) failed = true
      // A boundary that failed is rendered by the browser; its details stay in the server's log,
      // once it is (onShellError follows at once for an error outside every boundary, and final
      // may find the page failed: that one is the answer).
      const digest = 'pyxle-' + randomBytes(4).toString('hex')
      unlogged.push(() => log(
        `a Suspense boundary failed on the server and is left to the browser (digest ${digest}): ${stackOf(error) || textOf(error)}`))
      if (streaming) setImmediate(logFailures)
      return digest
    },
  })
  return stream
}
