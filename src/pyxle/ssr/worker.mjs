// A warm SSR worker: loads the project's SSR bundle once, then renders one request per line.
//   node worker.mjs /abs/path/ssr.mjs ANSWER_FD [TIMEOUT_MS] [HOLD_MS]
// In, on stdin (JSON lines): {id, page, props, routePath, csrfToken, complete?}; {abort: id} when
// the client of a streamed render went away; {ping: n}, answered {pong: n} at once unless a render
// holds the event loop (how the server tells a hung worker from one waiting for data); {drop: [id]}
// for renders read and not started that the server gave to another worker (this one was held by a
// render); {go: 1}, the answer to {hold: true}: after a render of HOLD_MS or more, the server may
// have given away those behind it, with a drop this worker has not read yet (it reads nothing while
// it renders, and a drop can sit behind megabytes of props), so it starts none until the server's
// go, which is written after any drop, and says {hold: false} as it starts again.
// Out, on ANSWER_FD (JSON lines): {"ready": true} first (or {failed: {name, message, stack}}, then
// an exit, when the bundle throws as it loads); then {id, html, head} or {id, error, stack}
// per request, and {log, page, render, text} for console output (render: the id of the request it
// was printed for, or null; never under "id", which makes a line an answer; with {fault, last} too
// for an error nobody caught: see fault() below; with {own: true, stack} for Pyxle's own note on a
// render and the stack of the error it is about). A page that suspends streams: {id, html, head,
// more: true} (its shell), then {id, chunk}... and {id, end: true}; meanwhile the worker takes the
// next lines (a streamed render waits for data, not for the CPU). What is still loading after
// TIMEOUT_MS is left to the browser. The answers have that pipe to themselves, so nothing a
// component or a library prints can corrupt them; each leaves as soon as its render ends, so the
// pool's clock for the next request starts when that request really starts. Stacks in what it
// sends name the project's files and lines, through the bundle's source map (_stacks.mjs).
import { AsyncLocalStorage } from 'node:async_hooks'
import { writeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { formatted, messageOf, nameOf, stackOf, textOf } from '../client/_nodetext.mjs'
import { stackMapper } from './_stacks.mjs'

const answers = Number(process.argv[3])
const timeout = Number(process.argv[4]) || 10000
const hold = Number(process.argv[5]) || 0 // ms; 0: never wait for a go (nothing is ever moved off it)
const queue = [] // render requests read and not started: each starts once the one before it ends
let held = false // waiting for the server's go
let closing = false // stdin ended: render what was read, exit once the streamed renders still going have ended
const streams = new Map() // id -> {abort} of the streamed renders still going
const mapped = stackMapper(process.argv[2])
// The request being rendered, for tagging console output with its page and id (the server logs it
// with the id of the HTTP request it serves): set around each render, and carried by
// AsyncLocalStorage into what a streamed render does later (a Suspense boundary resolving).
let current = null
const rendering = new AsyncLocalStorage()

// A lone surrogate (half an emoji in a page's data) leaves JSON.stringify as an escape ("\ud83d")
// that the server's JSON reader refuses, and HTML cannot carry one anyway: it goes as U+FFFD, what
// the browser shows for it. Looked for only when the line holds "\ud" (rare), so renders pay a scan.
const wellFormed = (key, value) => (typeof value === 'string' ? value.toWellFormed() : value)

// What may hold a stack: an error answer's `stack`, a log message's `text` (console output, an
// error nobody caught, a boundary's failure). A render's answer has neither: two lookups.
const send = (message) => {
  if (message.stack) message.stack = mapped(message.stack)
  if (message.text) message.text = mapped(message.text)
  let text = JSON.stringify(message)
  if (text.includes('\\ud')) text = JSON.stringify(message, wellFormed)
  const data = Buffer.from(text + '\n')
  let written = 0
  while (written < data.length) {
    try {
      written += writeSync(answers, data, written)
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error
    }
  }
}

// console.* and direct writes to process.stdout/stderr become log messages for the server's log.
// (What Node itself writes to fd 2, such as its report of a fatal error, bypasses this: the server
// reads the worker's stderr too.)
const log = (level, text, request = current ?? rendering.getStore()) =>
  send({ log: level, page: request ? request.page : null, render: request ? request.id : null, text })
const capture = (level) => (chunk, encoding, callback) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
  log(level, text.endsWith('\n') ? text.slice(0, -1) : text)
  const done = typeof encoding === 'function' ? encoding : callback
  if (typeof done === 'function') process.nextTick(done)
  return true
}
process.stdout.write = capture('info')
process.stderr.write = capture('warning')
console.error = (...args) => log('error', formatted(...args))
// Node's console.log formats its arguments with util.format, which throws for some (an Error whose
// message getter throws); a browser's never does, and neither does a page's render here.
for (const [name, level] of [['log', 'info'], ['info', 'info'], ['debug', 'info'], ['warn', 'warning']]) {
  const print = console[name]
  console[name] = (...args) => {
    try {
      print(...args)
    } catch {
      log(level, args.map(textOf).join(' '))
    }
  }
}

// Ctrl-C reaches the whole process group, and so does SIGTERM sent to it (systemd's default
// KillMode, `timeout`, `kill -- -PGID`): the server stops its workers itself once the requests in
// progress are answered (their input ends, and they exit), so none dies first, failing the render
// it runs, and gets replaced while the server stops (or fails to start: these are set before the
// bundle loads, which takes a while). One that hangs is killed by the server (the render timeout,
// or the pool's close), or with its server worker (--pdeathsig, see _process.py).
process.on('SIGINT', () => {})
process.on('SIGTERM', () => {})

// A bundle that throws as it loads (a page's module-level code reading `window`) can never render:
// why goes on the answer pipe, where the server reads it, in place of Node's report on stderr.
let bundle
try {
  bundle = await import(pathToFileURL(process.argv[2]).href)
} catch (error) {
  send({ failed: { name: nameOf(error), message: messageOf(error), stack: mapped(stackOf(error) ?? '') } })
  process.exit(1)
}

let last = null // the request this worker rendered last: see fault()

function render(request) {
  const { id } = request
  last = request
  let over = false
  const emit = (message) => {
    if (message.end || message.error || !message.more && message.html !== undefined) {
      over = true
      streams.delete(id)
    }
    send({ id, ...message })
    if (over && closing && !streams.size && !queue.length) process.exit(0)
  }
  // Pyxle's own notes on a render (a Suspense boundary that failed): logged as such, not as the
  // page's output, with the error's stack apart (mapped by send), which the server locates.
  const note = (text, stack) => send({ log: 'error', own: true, page: request.page, render: id, text,
    ...(stack !== undefined && { stack }) })
  const result = bundle.render(request, emit, { timeout, log: note })
  if (result.html !== undefined) send({ id, ...result })
  else if (!over) streams.set(id, result)
}

function start(request) {
  try {
    current = request
    rendering.run(request, render, request)
  } catch (error) {
    // (Whatever the page threw: text made of it never throws, or the render would go unanswered.)
    send({ id: request.id, error: messageOf(error), stack: stackOf(error) })
  } finally {
    current = null
  }
}

// The renders read, in order, until a long one makes it wait for the server's go (see the top).
function next() {
  while (queue.length && !held) {
    const request = queue.shift()
    const began = hold && !closing ? performance.now() : 0
    start(request)
    if (began && performance.now() - began >= hold) {
      held = true
      send({ hold: true })
    }
  }
}

createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  let request
  try {
    request = JSON.parse(line)
  } catch (error) {
    send({ id: null, error: messageOf(error), stack: stackOf(error) })
    return
  }
  if (request.abort !== undefined) {
    streams.get(request.abort)?.abort()
  } else if (request.ping !== undefined) {
    send({ pong: request.ping })
  } else if (request.drop !== undefined) {
    const dropped = new Set(request.drop)
    queue.splice(0, queue.length, ...queue.filter((queued) => !dropped.has(queued.id)))
  } else if (request.go !== undefined) {
    held = false
    send({ hold: false }) // the server's clock for the next render starts now
    next()
  } else {
    queue.push(request)
    next()
  }
})
// An error a render scheduled and nobody caught (a timer that throws, a promise rejected with no
// handler) would end the process, failing the renders of other pages sent to it, and its report
// would name none: it is logged instead, as console output is, with the page whose render
// scheduled it (AsyncLocalStorage carries the request into timers and promises) or else the page
// rendered last, and the worker goes on, as Next.js does. Set once the bundle has loaded: a bundle
// that cannot load still ends the worker, and the server says so.
const fault = (kind) => (error) => {
  const request = rendering.getStore()
  const text = textOf(error)
  try {
    send({ log: 'error', fault: kind, page: request ? request.page : null, render: request ? request.id : null,
      last: last ? last.page : null, text })
  } catch {
    process.exit(1) // the answer pipe is gone: so is the server
  }
}
process.on('uncaughtException', fault('uncaught exception'))
process.on('unhandledRejection', fault('unhandled rejection'))
process.stdin.on('end', () => {
  closing = true
  held = false // no drop can come any more
  next()
  if (!streams.size) process.exit(0)
})
send({ ready: true })
