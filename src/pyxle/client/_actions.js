// Calling server actions: <Form action="name"> and useAction(name). Both post to
// /api/__actions/<page path>/<name> with the CSRF token from the pyxle-csrf cookie, honour
// x-pyxle-invalidate by dropping cached pages (refreshing the current one if it is named), and
// go where an action redirects ({ok: true, redirect: url}), fetching that page fresh.
import { createElement as h, useCallback, useContext, useEffect, useRef, useState } from 'react'
import { PageContext } from './_context.js'
import { currentPath, invalidate, navigate, refresh } from './_router.js'

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)pyxle-csrf=([^;]*)/)
  return match ? decodeURIComponent(match[1]) : ''
}

export function actionUrl(pagePath, name) {
  return `/api/__actions/${pagePath}/${name}`
}

export async function callAction(url, payload, { signal } = {}) {
  const headers = { 'x-csrf-token': csrfToken(), accept: 'application/json' }
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
    result = { ok: false, error: `The server answered ${response.status}` }
  }
  if (result.ok === undefined) result = { ok: false, error: result.error || `The server answered ${response.status}` }
  const stale = response.headers.get('x-pyxle-invalidate')
  if (stale) {
    const urls = stale.split(',').map((s) => s.trim()).filter(Boolean)
    urls.forEach((u) => invalidate(u))
    if (urls.includes(currentPath())) refresh().catch(() => {})
  }
  if (result.ok && typeof result.redirect === 'string') {
    invalidate(result.redirect)
    navigate(result.redirect)
  }
  return result
}

// <Form action="save">: a real <form method="post"> (so it works before hydration), submitted
// with fetch once hydrated. While pending: data-pending on the form, submit buttons disabled.
export function Form({ action, pagePath, onSuccess, onError, resetOnSuccess = true, children, ...rest }) {
  const page = useContext(PageContext)
  const url = actionUrl(pagePath || page.pageId, action)
  const [pending, setPending] = useState(false)
  const ref = useRef(null)

  useEffect(() => {
    if (!ref.current) return
    for (const button of ref.current.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]')) {
      button.disabled = pending
    }
  }, [pending])

  async function handleSubmit(event) {
    event.preventDefault()
    const form = event.currentTarget
    setPending(true)
    try {
      const result = await callAction(url, new FormData(form))
      if (result.ok) {
        if (resetOnSuccess) form.reset()
        if (onSuccess) onSuccess(result)
      } else if (onError) {
        onError(result.error, result.fields || null, result)
      }
    } catch (error) {
      if (onError) onError(String(error.message || error), null, { ok: false, error: String(error) })
    } finally {
      setPending(false)
    }
  }

  // The hidden field lets the form work as a plain HTML post before hydration or without JS.
  return h('form', { ...rest, ref, method: 'post', action: url, onSubmit: handleSubmit,
                     'data-pending': pending ? 'true' : undefined, 'aria-busy': pending ? 'true' : undefined },
    h('input', { type: 'hidden', name: 'csrf_token', value: page.csrfToken || '' }), children)
}

// const save = useAction('save'); await save({ title }) -> { ok, ... }; save.pending / .error / .fields / .data
export function useAction(name, { pagePath, onMutate } = {}) {
  const page = useContext(PageContext)
  const url = actionUrl(pagePath || page.pageId, name)
  const [state, setState] = useState({ pending: false, error: null, fields: null, data: null })
  const latest = useRef(0)
  const run = useCallback(async (payload, { signal } = {}) => {
    const call = ++latest.current
    if (onMutate) onMutate(payload)
    setState((s) => ({ ...s, pending: true, error: null, fields: null }))
    let result
    try {
      result = await callAction(url, payload, { signal })
    } catch (error) {
      result = error && error.name === 'AbortError'
        ? { ok: false, error: 'aborted', aborted: true }
        : { ok: false, error: String((error && error.message) || error) }
    }
    if (call === latest.current) {
      setState({ pending: false, error: result.ok ? null : result.error, fields: result.fields || null, data: result })
    }
    return result
  }, [url, onMutate])
  run.pending = state.pending
  run.error = state.error
  run.fields = state.fields
  run.data = state.data
  return run
}
