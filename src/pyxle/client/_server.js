// Server rendering of one page: the HTML of the tree and the merged <Head> markup.
//
// A page renders with renderToString, the fast path, until it suspends (a <Suspense> child
// waiting for data, a lazy component): renderToString then leaves that boundary to the browser
// (`<!--$!-->`), or throws when nothing but the shell could wait (a `use(promise)` outside every
// boundary), and the page is rendered again with React's streaming renderer, as it will be from
// then on. A streamed render answers with its shell (fallbacks in place of what is still loading)
// and sends the rest as it completes; `complete` (bots, pages being stored) waits for everything
// and answers once.
import { createElement as h, version } from 'react'
import { renderToPipeableStream, renderToStaticMarkup, renderToString } from 'react-dom/server'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { messageOf, stackOf, textOf } from './_nodetext.mjs'
import { HeadCollector } from './_context.js'
import { NonceContext } from './_nonce.js'
import { mergeHead } from './_head.js'
import { rootProps } from './_headmerge.js'
import { fallenIn, newMark, reachedIn, stripper } from './_reached.js'
import { pageTree } from './_tree.js'

// React 19 preloads the images it renders eagerly, with links at the start of the markup.
const IMAGE_HINTS = /^(?:<link rel="preload" as="image"[^>]*>)+/
// React 19 writes what it hoists (a <title>, <meta> or <link> rendered anywhere, its stylesheets and
// async scripts) before the tree's own markup; React 18 renders such tags in place.
const HOISTS = !version.startsWith('18.')
const HOISTED = /(?:<(?:link|meta)\b[^>]*>|<title\b[^>]*>[^<]*<\/title>|<script\b[^>]*><\/script>|<style\b[^>]*>[\s\S]*?<\/style>)/y
const SUSPENDED = '<!--$!-->' // a boundary renderToString could not finish
// What renderToString throws (React 18 and 19) when the page suspends outside every boundary.
const SUSPENDED_SHELL = 'suspended while responding to synchronous input'

// `head` holds the merged <Head> markup of each nesting level: layouts outermost first, the page
// last, so the server can interleave each level's HEAD variable at the right precedence. `lang`
// and `dir`: a <Head><html lang dir />'s (the deepest), which the server writes into <html>, and
// checks (a lang that is no language tag is the config's; the server gives dir="rtl" by its rule).
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
  if (HOISTS) {
    const [metadata, rest] = hoisted(html)
    html = rest
    // One group after the page's: React's own tags win over any HEAD or <Head> with the same key,
    // as in the browser, where React's <title> is the head's first.
    if (metadata) head.push(metadata)
  }
  const root = rootProps(collected)
  if (!root) return { html, head }
  return { html, head, ...(typeof root.lang === 'string' && { lang: root.lang }),
    ...(typeof root.dir === 'string' && { dir: root.dir }) }
}

// [the document metadata React 19 hoisted to the start of `html`, the rest of `html`]. Its
// stylesheets and scripts stay there, where React finds them; the scan ends at the tree's own
// markup (an element with itemProp, which React keeps in place, begins it).
function hoisted(html) {
  let metadata = ''
  let kept = ''
  let at = 0
  for (let found; (HOISTED.lastIndex = at), (found = HOISTED.exec(html)); at = HOISTED.lastIndex) {
    const tag = found[0]
    if (/^<[^>]*\sitemProp=/i.test(tag)) break
    if (/^<(?:title|meta)\b/.test(tag) || (tag.startsWith('<link') && !/\srel="stylesheet"/.test(tag))) metadata += tag
    else kept += tag
  }
  return [metadata, kept + html.slice(at)]
}

function tree(route, request, collected, reached = '') {
  const page = pageTree(route, request.props, request.routePath, request.csrfToken || '', null, reached)
  const collecting = h(HeadCollector.Provider, { value: collected }, page)
  return h(NonceContext.Provider, { value: request.nonce || '' }, collecting)
}

// A streamed render includes the root element the browser hydrates into, so that a boundary at
// the very top of the page (loading.pyxl without a layout) has an element around it: React
// streams only boundaries inside one. Its answers say so ({root: true}).
function rootedTree(route, request, collected, reached) {
  return h('div', { id: 'pyxle-root' }, tree(route, request, collected, reached))
}

// `emit(message)` sends a message of this render to the server. The fast path returns its answer,
// {html, head}; a streamed render returns {abort()} and emits {html, head} (all was ready at once),
// or {html, head, more: true}, then {chunk}... and {end: true}; or {error, stack} if the shell
// failed, or loading.pyxl's boundary before anything was sent (see final). `options.timeout` (ms):
// what is still loading then is left to the browser. `options.log(note, stack)`: Pyxle's own note
// on the render (a boundary that failed), with the error's stack.
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

function streamPage(route, request, emit, { timeout = 10000, log = console.error } = {}) {
  const collected = []
  // Markers telling whether each loading.pyxl boundary rendered its content (see _reached.js).
  const loading = (route.loading || []).length
  const mark = loading ? newMark() : ''
  const strip = loading ? stripper(mark) : (text) => text
  const decoder = new TextDecoder()
  let buffered = '' // what React wrote before the first answer
  let streaming = false // the first answer is out: each write is a chunk of its own
  let allReady = false
  let partial = false // a boundary was left to the browser (see onError)
  const thrown = [] // [digest, error]: a boundary threw before the first answer (not the timeout's)
  let unlogged = [] // what boundaries threw, logged once they are left to the browser
  const logFailures = () => unlogged.splice(0).forEach((note) => note())
  let stream = null
  const text = (chunk) => (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
  const sink = new Writable({
    write(chunk, _encoding, done) {
      if (!streaming) buffered += text(chunk)
      else {
        const piece = strip(text(chunk))
        if (piece) emit({ chunk: piece })
      }
      done()
    },
    final(done) {
      clearTimeout(timer)
      const rest = decoder.decode()
      const left = partial ? { partial: true } : {}
      if (streaming) {
        const piece = strip(rest, true)
        if (piece) emit({ chunk: piece })
        emit({ end: true, ...left })
        return done()
      }
      // Nothing was sent yet: a boundary that threw is the page's failure when it is
      // loading.pyxl's (the page is then answered as a render error is), not a boundary of its own.
      const html = buffered + rest
      const failure = loading && thrown.length ? loadingFailure(html) : null
      if (failure) {
        unlogged = []
        emit({ error: messageOf(failure), stack: stackOf(failure) })
        return done()
      }
      logFailures()
      emit({ ...finish(route, collected, strip(html, true)), root: true, ...left })
      done()
    },
  })
  // What a loading.pyxl boundary caught, if one did: its content is then missing from `html`
  // (written whole: see onShellReady), which holds that boundary's digest before its fallback.
  // Other digests are those of boundaries of the page's own or its layouts', and the timeout's
  // digests are not thrown's: what the timeout cut is left to the browser.
  const loadingFailure = (html) => {
    if (reachedIn(html, mark) === loading) return null
    const fallen = fallenIn(html, mark)
    const found = thrown.find(([digest]) => fallen.includes(digest))
    return found ? found[1] : null
  }
  const expired = new Error(`still loading after ${timeout} ms`)
  const timer = setTimeout(() => stream.abort(expired), timeout)
  const answerShell = () => {
    streaming = true
    emit({ ...finish(route, collected, strip(buffered)), more: true, root: true })
    logFailures()
  }
  stream = renderToPipeableStream(rootedTree(route, request, collected, mark), {
    // The configured Content-Security-Policy refuses inline scripts: React's, which put each
    // boundary in place, carry the nonce the server adds to this answer's policy.
    nonce: request.nonce,
    onShellReady() {
      if (request.complete) return
      // A turn later, what React finished by then goes out with the shell; when that is all of it,
      // React writes it whole (as for `complete`), which is then the one answer (see final).
      setImmediate(() => {
        stream.pipe(sink)
        if (!allReady) answerShell()
      })
    },
    onAllReady() {
      allReady = true
      if (request.complete) stream.pipe(sink)
    },
    onShellError(error) {
      unlogged = [] // the shell's error is the answer
      clearTimeout(timer)
      emit({ error: messageOf(error), stack: stackOf(error) })
    },
    onError(error) {
      if (error === CLIENT_GONE) return undefined
      partial = true
      // A boundary that failed is rendered by the browser; its details stay in the server's log,
      // once it is (onShellError follows at once for an error outside every boundary, and final
      // may find the page failed: that one is the answer).
      const digest = 'pyxle-' + randomBytes(4).toString('hex')
      if (error !== expired && !streaming) thrown.push([digest, error])
      // The stack goes apart from the note: the server names the file and line it points to first.
      unlogged.push(() => log(`a Suspense boundary left to the browser (digest ${digest}) failed on the server`,
        stackOf(error) || textOf(error)))
      if (streaming) setImmediate(logFailures)
      return digest
    },
  })
  return stream
}
