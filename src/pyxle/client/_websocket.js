// useWebSocket(url, options): one socket per component, opened in an effect (never during SSR),
// reconnected with exponential backoff and jitter after a drop. By default it never gives up, as
// in 0.9.4: a deploy that takes minutes must not leave open pages disconnected for good, and the
// 30 s cap keeps the load of many waiting pages small. A close with 1000 from the server is its
// answer, not a drop: reopening would repeat the same exchange. `error` says what went wrong, as
// a string (0.9.4's documented type: a page may render it as it is).
// Text messages are parsed as JSON when they are JSON; objects sent are serialised.
// The effect is keyed on `protocols` by value: an inline array is a new one on every render, and
// keyed by identity each render would open a new socket (and its close render again, endlessly).
// A socket the effect has replaced (new url or options, unmount) no longer touches state.
// The effect's cleanup closes the socket in the next task, not at once: React Fast Refresh (every
// component bundled with an edited page) and StrictMode clean an effect up and run it again in one
// go, and the run that follows with the same options adopts the open socket instead of reopening it
// (a reopen drops messages and flickers presence). An unmount has no such run: it closes promptly.
import { useCallback, useEffect, useRef, useState } from 'react'

// Close codes that end the socket for good: the server closed it normally (1000: its handler
// finished), the origin was refused (1008), a message was too big (1009). The browser never
// closes with 1000 by itself, and this hook's own close(1000) comes after `stopped` is set.
const FINAL = new Set([1000, 1008, 1009])

// How long a socket stays open before the tries in a row count from 0 again. A server that
// accepts and closes at once (an error, 1011) would otherwise be reopened every minDelay
// forever; a handshake refused before accept() never opens, so its tries always count.
const STABLE_MS = 5000

// 1012 (service restart): `pyxle dev` closes with it once an edit is applied, and so does a worker
// that a reload replaces. It is no failed try: the next socket opens after a random delay up to this,
// never more however often it comes. Not 0: the pages of a restarted server would all come back in
// the same instant; a quarter second spreads them out and is too short for a person to notice.
const RESTART = 1012
const RESTART_SPREAD_MS = 250

export function socketUrl(url) {
  if (/^wss?:\/\//.test(url)) return url
  const base = new URL(url, location.href)
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:'
  return base.href
}

export function retryDelay(attempt, minDelay, maxDelay) {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** attempt)
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

// What `error` says after a failed socket. A browser shows a refused handshake and a server that
// is down alike, as 1006 with no reason, so that message names both.
function describe(href, event) {
  if (event.code === 1006) return `WebSocket ${href}: connection failed or lost (1006)`
  return `WebSocket ${href}: closed with ${event.code}${event.reason ? ` (${event.reason})` : ''}`
}

function parse(data, json) {
  if (!json || typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch {
    return data
  }
}

// The effect's cleanup: close in the next task, unless the effect runs again at once and adopts it.
function leave(live, connection) {
  connection.leaving = setTimeout(() => {
    if (live.current === connection) live.current = null
    connection.stop()
  }, 0)
}

export function useWebSocket(url, options = {}) {
  const { json = true, reconnect = true, maxRetries = Infinity, minDelay = 500, maxDelay = 30000, protocols,
          enabled = true } = options
  const [status, setStatus] = useState('connecting')
  const [lastMessage, setLastMessage] = useState(null)
  const [retries, setRetries] = useState(0)
  const [error, setError] = useState(null)
  const socket = useRef(null)
  const live = useRef(null)  // { key, leaving, stop }: the socket's connection, kept for a moment after cleanup
  const handlers = useRef(options)
  handlers.current = options
  const protocolsKey = protocols == null ? '' : JSON.stringify(protocols)

  useEffect(() => {
    const key = JSON.stringify([url, enabled, json, reconnect, String(maxRetries), minDelay, maxDelay, protocolsKey])
    const kept = live.current
    live.current = null
    if (kept) {
      clearTimeout(kept.leaving)
      if (kept.key === key) {  // cleaned up and run again at once: keep its socket
        kept.leaving = null
        live.current = kept
        return () => leave(live, kept)
      }
      kept.stop()
    }
    if (!enabled || !url) {
      setStatus('closed')
      return undefined
    }
    let attempt = 0
    let timer = null
    let stable = null
    let stopped = false
    let current = null
    const subprotocols = protocolsKey ? JSON.parse(protocolsKey) : undefined
    function open() {
      setStatus('connecting')
      const href = socketUrl(url)
      const ws = new WebSocket(href, subprotocols)
      socket.current = current = ws
      ws.onopen = (event) => {
        if (stopped) return
        stable = setTimeout(() => {
          attempt = 0
          setRetries(0)
        }, STABLE_MS)
        setStatus('open')
        setError(null)
        handlers.current.onOpen?.(event)
      }
      ws.onerror = () => {
        if (!stopped) setError(`WebSocket ${href}: error`)  // the close that follows says more
      }
      ws.onmessage = (event) => {
        if (stopped) return
        const message = parse(event.data, json)
        setLastMessage(message)
        handlers.current.onMessage?.(message, event)
      }
      ws.onclose = (event) => {
        if (socket.current === ws) socket.current = null
        if (current === ws) current = null
        if (stopped) return  // replaced or unmounted: the next socket's status is the one shown
        clearTimeout(stable)
        setStatus('closed')
        if (event.code !== 1000) setError(describe(href, event))
        handlers.current.onClose?.(event)
        if (!reconnect || FINAL.has(event.code)) return
        if (event.code === RESTART) {
          timer = setTimeout(open, Math.random() * RESTART_SPREAD_MS)
          return
        }
        if (attempt >= maxRetries) return
        timer = setTimeout(open, retryDelay(attempt, minDelay, maxDelay))
        attempt += 1
        setRetries(attempt)
      }
    }
    function stop() {
      stopped = true
      clearTimeout(timer)
      clearTimeout(stable)
      current?.close(1000)
      if (socket.current === current) socket.current = null
      current = null
    }
    const connection = { key, leaving: null, stop }
    live.current = connection
    open()
    return () => leave(live, connection)
  }, [url, enabled, json, reconnect, maxRetries, minDelay, maxDelay, protocolsKey])

  const send = useCallback((data) => {
    const ws = socket.current
    if (!ws || ws.readyState !== WebSocket.OPEN) return false
    const raw = typeof data === 'string' || data instanceof Blob || data instanceof ArrayBuffer || ArrayBuffer.isView(data)
    ws.send(raw ? data : JSON.stringify(data))
    return true
  }, [])

  return { status, send, lastMessage, error, retries }
}
