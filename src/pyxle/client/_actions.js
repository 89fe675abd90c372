// Calling server actions: <Form action="name"> and useAction(name). Both post to
// /api/__actions/<page>/<name> with the CSRF token from the CSRF cookie, honour
// x-pyxle-invalidate by dropping cached pages (refreshing the current one if it is named), and
// go where an action redirects ({ok: true, redirect: url}), fetching that page fresh.
// A failed call resolves to {ok: false, error, fields, data} (`fields`: per-field errors of a 422, `data`:
// an ActionError's data; each null when the answer has none, as Pyxle 0.9's useAction gave them).
import { createElement as h, useCallback, useContext, useEffect, useRef, useState } from 'react'
import { PageContext } from './_context.js'
import { invalidate, isCurrent, navigate, refresh } from './_router.js'

// The CSRF cookie and header: the defaults, or the configured csrf.cookieName / headerName, which
// the server names in <meta name="pyxle-csrf" content="cookie header">.
let csrfNames = null

export function csrfHeader() {
  return names().header
}

function names() {
  if (!csrfNames) {
    const meta = document.querySelector('meta[name="pyxle-csrf"]')
    const [cookie, header] = meta ? meta.content.split(' ') : []
    csrfNames = { cookie: cookie || 'pyxle-csrf', header: header || 'x-csrf-token' }
  }
  return csrfNames
}

export function csrfToken() {
  const prefix = names().cookie + '='
  const found = document.cookie.split(/;\s*/).find((part) => part.startsWith(prefix))
  return found ? decodeURIComponent(found.slice(prefix.length)) : ''
}

// The page part of an action URL: `pagePath` when given ("blog/new", or a URL path such as
// "/todos" as Pyxle 0.9 took it), else the page's path under pages/; for a dynamic page the URL
// it was rendered at, so the action gets the same path parameters ("posts/7" for posts/[id]).
function pageSegment(page, pagePath) {
  const path = pagePath ?? (page.pageId && page.pageId.includes('[') ? page.routePath : page.pageId) ?? ''
  const trimmed = path.replace(/^\/+|\/+$/g, '')
  return trimmed ? trimmed.split('/').map(encodeURIComponent).join('/') : 'index'
}

export function actionUrl(page, pagePath, name) {
  return `/api/__actions/${pageSegment(page, pagePath)}/${name}`
}

export async function callAction(url, payload, { signal } = {}) {
  const headers = { [csrfHeader()]: csrfToken(), accept: 'application/json' }
  let body = payload
  if (!(payload instanceof FormData)) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(payload === undefined ? {} : payload)
  }
  const response = await fetch(url, { method: 'POST', headers, body, credentials: 'same-origin', signal })
  let result
  try {
    result = await response.json()
  } catch (error) {
    if (signal && signal.aborted) throw error
    result = null
  }
  if (!result || typeof result.ok !== 'boolean') {
    result = { ok: false, error: (result && result.error) || `The server answered ${response.status}` }
  }
  if (!result.ok) {
    result.fields = result.fields || null
    result.data = result.data ?? null
  }
  const stale = response.headers.get('x-pyxle-invalidate')
  if (stale) {
    const urls = stale.split(',').map((s) => s.trim()).filter(Boolean)
    urls.forEach((u) => invalidate(u))
    if (urls.some((u) => isCurrent(u))) refresh() // however the path is percent-encoded
  }
  if (result.ok && typeof result.redirect === 'string') {
    invalidate(result.redirect)
    navigate(result.redirect)
  }
  return result
}

function failure(error, signal) {
  return signal && signal.aborted
    ? { ok: false, error: 'aborted', aborted: true, fields: null }
    : { ok: false, error: String((error && error.message) || error), fields: null }
}

function withoutOk({ ok, ...data }) {
  return data
}

const ERROR_STYLE = { color: '#b91c1c', marginTop: '0.5rem' }

// The fields as a plain form post sends them, with the name=value of the submit button used (the
// browser's `submitter`: the clicked button, or the form's first one for Enter in a field).
function formData(form, submitter) {
  try {
    return new FormData(form, submitter || null)
  } catch {
    return new FormData(form)
  }
}

// <Form action="save">: a real <form method="post"> (so it works before hydration), multipart
// unless given another encType (so its files post as files then too), submitted with fetch once
// hydrated, the clicked submit button's name=value included either way. While pending:
// data-pending on the form, submit buttons disabled, and another submit (Enter in a field,
// requestSubmit()) ignored, so the action runs once.
// onSuccess(result without `ok`); onError(message, fields, result). A failure's message shows in the
// form, onError or not (as in Pyxle 0.9), in <p role="alert" data-pyxle-form-error> (red, or
// `errorClassName` instead).
export function Form({ action, pagePath, onSuccess, onError, resetOnSuccess = true, errorClassName, children,
                      ...rest }) {
  const page = useContext(PageContext)
  const url = actionUrl(page, pagePath, action)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState(null)
  const ref = useRef(null)
  const busy = useRef(false) // set at once: the pending state shows only after a render

  useEffect(() => {
    if (!ref.current) return
    for (const button of ref.current.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]')) {
      button.disabled = pending
    }
  }, [pending])

  async function handleSubmit(event) {
    event.preventDefault()
    if (busy.current) return
    const form = event.currentTarget
    busy.current = true
    setPending(true)
    setError(null)
    let result
    try {
      result = await callAction(url, formData(form, event.nativeEvent.submitter))
    } catch (caught) {
      result = failure(caught)
    } finally {
      busy.current = false
      setPending(false)
    }
    if (result.ok) {
      if (resetOnSuccess) form.reset()
      if (onSuccess) onSuccess(withoutOk(result))
    } else {
      setError(result.error)
      if (onError) onError(result.error, result.fields, result)
    }
  }

  // The hidden field lets the form work as a plain HTML post before hydration or without JS. Its
  // name is Pyxle 0.9's, which that release's actions read in (and pop from) `await request.json()`.
  const message = error && h('p', { role: 'alert', 'data-pyxle-form-error': '', className: errorClassName,
                                    style: errorClassName ? undefined : ERROR_STYLE }, error)
  const encoding = rest.encType === undefined && rest.enctype === undefined ? { encType: 'multipart/form-data' } : {}
  return h('form', { ...encoding, ...rest, ref, method: 'post', action: url, onSubmit: handleSubmit,
                     'data-pending': pending ? 'true' : undefined, 'aria-busy': pending ? 'true' : undefined },
    h('input', { type: 'hidden', name: '_csrf_token', value: page.csrfToken || '' }), children, message)
}

// const save = useAction('save'); await save({ title }) -> { ok, ... }. save.pending, .error,
// .fields (per-field errors of the last call), .data (the last successful result, without `ok`).
// A new call aborts the one in flight, which resolves to { ok: false, aborted: true, ... }.
export function useAction(name, { pagePath, onMutate } = {}) {
  const page = useContext(PageContext)
  const url = actionUrl(page, pagePath, name)
  const [state, setState] = useState({ pending: false, error: null, fields: null, data: null })
  const inFlight = useRef(null)
  const run = useCallback(async (payload, { signal } = {}) => {
    if (inFlight.current) inFlight.current.abort()
    const controller = new AbortController()
    inFlight.current = controller
    if (signal) {
      if (signal.aborted) controller.abort()
      else signal.addEventListener('abort', () => controller.abort(), { once: true })
    }
    if (onMutate) onMutate(payload)
    setState((s) => ({ ...s, pending: true, error: null, fields: null }))
    let result
    try {
      result = await callAction(url, payload, { signal: controller.signal })
    } catch (error) {
      result = failure(error, controller.signal)
    }
    if (inFlight.current === controller) {
      inFlight.current = null
      setState((s) => (result.ok
        ? { pending: false, error: null, fields: null, data: withoutOk(result) }
        : { ...s, pending: false, error: result.error, fields: result.fields }))
    }
    return result
  }, [url, onMutate])
  run.pending = state.pending
  run.error = state.error
  run.fields = state.fields
  run.data = state.data
  return run
}
