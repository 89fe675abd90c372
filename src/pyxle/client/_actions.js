// Calling server actions: <Form action="name"> and useAction(name). Both post to
// /api/__actions/<page>/<name> with the CSRF token from the CSRF cookie, honour
// x-pyxle-invalidate by dropping cached pages (refreshing the current one if it is named) and
// x-pyxle-cookies by dropping them all (refreshing the current one), and
// go where an action redirects ({ok: true, redirect: url}), fetching that page fresh, unless the user
// navigated since the action was sent (the last navigation wins, as in Remix); an action the server
// no longer has (404, code unknown_action, after a deploy) shows the page again as the server has it.
// A failed call resolves to {ok: false, error, fields, data} (`fields`: per-field errors of a 422, `data`:
// an ActionError's data; each null when the answer has none, as Pyxle 0.9's useAction gave them).
import { createElement as h, forwardRef, useCallback, useContext, useId, useRef, useState } from 'react'
import { PageContext } from './_context.js'
import { invalidate, isCurrent, moves, navigate, refresh, refreshShown } from './_router.js'
import { messageOf } from './_text.mjs'

// The CSRF cookie and header: the defaults, or the configured csrf.cookieName / headerName, which
// the server names in <meta name="pyxle-csrf" content="cookie header">.
let csrfNames = null

export function csrfHeader() {
  return names().header
}

const DEFAULT_COOKIE = 'pyxle-csrf'
const DEFAULT_HEADER = 'x-csrf-token'

function names() {
  if (!csrfNames) {
    const meta = document.querySelector('meta[name="pyxle-csrf"]')
    const [cookie, header] = meta ? meta.content.split(' ') : []
    csrfNames = { cookie: cookie || DEFAULT_COOKIE, header: header || DEFAULT_HEADER }
  }
  return csrfNames
}

// pyxle-framework 0.6 to 0.9 set these globals when an app names its own CSRF cookie or header,
// and their security guides read them in a hand-written fetch (`window.__PYXLE_CSRF_COOKIE__ ??
// 'pyxle-csrf'`); apps written that way keep working.
export function exposeCsrfNames() {
  const { cookie, header } = names()
  if (cookie !== DEFAULT_COOKIE) window.__PYXLE_CSRF_COOKIE__ = cookie
  if (header !== DEFAULT_HEADER) window.__PYXLE_CSRF_HEADER__ = header
}

export function csrfToken() {
  const prefix = names().cookie + '='
  const found = document.cookie.split(/;\s*/).find((part) => part.startsWith(prefix))
  return found ? decodeURIComponent(found.slice(prefix.length)) : ''
}

// A POST with the CSRF token in its header. A page served from a shared cache (a CDN) sets no
// CSRF cookie, so a visitor may post before having one; a page opened before a deploy that changed
// PYXLE_SECRET_KEY holds a cookie the server no longer accepts. The server refuses that post (403,
// code csrf_failed) and its answer sets a new cookie, and the post is sent once more with it.
// Only a post whose refusal replaced the token is sent again, once: a cross-site post never reaches here.
export async function postWithCsrf(url, init) {
  const sent = csrfToken()
  const post = (token) => fetch(url, { ...init, method: 'POST', credentials: 'same-origin',
                                       headers: { ...init.headers, [csrfHeader()]: token } })
  const response = await post(sent)
  const now = csrfToken()
  if (response.status !== 403 || !now || now === sent || !(await refusedForCsrf(response))) return response
  return post(now)
}

async function refusedForCsrf(response) {
  try {
    return (await response.clone().json()).code === 'csrf_failed'
  } catch {
    return false
  }
}

// The page part of an action URL: `pagePath` when given ("blog/new", or a URL path such as
// "/todos" as Pyxle 0.9 took it), else the page's path under pages/; for a dynamic page the URL
// it was rendered at, so the action gets the same path parameters ("posts/7" for posts/[id]).
function pageSegment(page, pagePath) {
  const path = pagePath ?? (page.pageId && page.pageId.includes('[') ? page.routePath : page.pageId) ?? ''
  const trimmed = path.replace(/^\/+|\/+$/g, '')
  return trimmed ? trimmed.split('/').map(encodeURIComponent).join('/') : 'index'
}

// On a page re-rendered after a no-JS post failed validation, the browser is at the action's URL,
// so the next post's Referer no longer names the page's query (`/search?q=x`): the action URL
// carries it (`page.query`, the same in the server's render and the browser's), and the server
// sends the browser back to the page with it.
export function actionUrl(page, pagePath, name) {
  const url = `/api/__actions/${pageSegment(page, pagePath)}/${name}`
  return page.query ? `${url}?${page.query}` : url
}

const isFile = (value) => typeof Blob !== 'undefined' && value instanceof Blob // a File is a Blob

// A payload holding files ({ doc: file, more: [a, b] }, as the page's types declare an upload field:
// `File`) as the multipart form `Form` sends: each file a part, arrays a repeated field, other
// values their text, null and undefined left out (a field not sent). JSON would carry each file
// as `{}`; null when the payload holds no file at its top level.
function filesForm(payload) {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null
  const values = Object.values(payload)
  if (!values.some((value) => isFile(value) || (Array.isArray(value) && value.some(isFile)))) return null
  const form = new FormData()
  for (const [key, value] of Object.entries(payload)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue
      if (typeof item === 'object' && !isFile(item)) {
        throw new TypeError(`${key}: a payload with files is sent as a form, which cannot hold an object`)
      }
      form.append(key, isFile(item) ? item : String(item))
    }
  }
  return form
}

// JSON.stringify's replacer: a file deeper in a payload, which no form holds either, is an error
// rather than the `{}` JSON would send in its place.
function noFile(key, value) {
  if (isFile(value)) throw new TypeError(`${key || 'payload'}: a file is sent as a field of the payload ({ doc: file }), or in a FormData`)
  return value
}

export async function callAction(url, payload, { signal } = {}) {
  const headers = { accept: 'application/json' }
  let body = payload instanceof FormData ? payload : filesForm(payload)
  if (body === null) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(payload === undefined ? {} : payload, noFile)
  }
  const sent = moves()
  const response = await postWithCsrf(url, { headers, body, signal })
  const result = await resultOf(response, signal)
  if (!result.ok) {
    result.fields = result.fields || null
    result.data = result.data ?? null
  }
  // The action set or deleted a cookie (a sign-in, a sign-out): what was fetched before may show
  // another visitor's view, so every page's data is dropped and the page shown is fetched again
  // (unless the action sends the browser elsewhere: that page is fetched fresh anyway). A redirect
  // fetch followed may have set one too, unseen (its headers are not the answer's). The redirect
  // is a navigation that started when it was sent: one the user started since supersedes it.
  const redirects = result.ok && typeof result.redirect === 'string' && moves() === sent
  const cookies = response.headers.get('x-pyxle-cookies') === 'changed' || response.redirected
  if (cookies) invalidate()
  const stale = response.headers.get('x-pyxle-invalidate')
  const urls = stale ? stale.split(',').map((s) => s.trim()).filter(Boolean) : []
  urls.forEach((u) => invalidate(u))
  if ((cookies && !redirects) || urls.some((u) => isCurrent(u))) refresh() // however the path is percent-encoded
  if (redirects) {
    invalidate(result.redirect)
    navigate(result.redirect)
  }
  // No such action now: the page was opened before a deploy that renamed or removed it. Unless the
  // user has navigated since, it is shown again as the server now has it (a refresh, or the one
  // under way: in full when it is of another build), so the next try calls the new build's actions;
  // awaited, so the form does not flash the error of a page about to be replaced.
  if (response.status === 404 && result.code === 'unknown_action' && moves() === sent) await refreshShown()
  return result
}

// The answer as a result. The action's own is JSON with `ok` ({ok: true, ...} or {ok: false, error}).
// A 2xx answer without it (a JSONResponse or a PlainTextResponse the action returned) is a success
// too, as a plain form post counts it (sent back to the page with 303): its body is the result's
// `data` (the JSON, else the text; null when empty). An answer fetch reached by following a redirect
// that no action made (a middleware's 303 to /login, which fetch follows to that page's HTML) is that
// redirect, as a plain form post follows it.
async function resultOf(response, signal) {
  let text
  try {
    text = await response.text()
  } catch (error) {
    if (signal && signal.aborted) throw error
    text = ''
  }
  let body
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined // not JSON
  }
  if (body && typeof body === 'object' && typeof body.ok === 'boolean') return body
  if (response.redirected && response.url) {
    const to = new URL(response.url)
    return { ok: true, redirect: to.origin === location.origin ? to.pathname + to.search + to.hash : to.href }
  }
  if (response.ok) {
    const json = /[/+]json\b/i.test(response.headers.get('content-type') || '')
    return { ok: true, data: text === '' ? null : json && body !== undefined ? body : text }
  }
  return { ok: false, error: (body && typeof body.error === 'string' && body.error) || `The server answered ${response.status}` }
}

// A call that did not get an answer (no network, a payload that cannot be made JSON): its error's
// text, whatever was thrown, so the call still resolves to { ok: false, error }.
function failure(error, signal) {
  return signal && signal.aborted
    ? { ok: false, error: 'Request aborted', aborted: true, fields: null } // 0.9's message; `aborted` is ours
    : { ok: false, error: messageOf(error), fields: null }
}

function withoutOk({ ok, ...data }) {
  return data
}

// The message of this form's action when the page was rendered again because a no-JS post of it
// failed (the same action: its name, on this page), so the server's render shows it without
// JavaScript and hydration renders the same; else null. Only the form posted shows it (`key`, its
// place in the page, is what it sent as _pyxle_form; a post that named none is every form's), and
// none does when the page shows the message itself (see pageTree).
function failedHere(page, pagePath, name, key) {
  const failed = page.failedAction
  if (!failed || failed.name !== name || pageSegment(page, pagePath) !== pageSegment(page)) return null
  if ((page.failedForm && page.failedForm !== key) || (page.failedShown && page.failedShown.byPage)) return null
  return failed.error || null
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

// The form's submit buttons that are enabled now, disabled until the returned release() is called,
// which enables again only those: never one the app disabled, before or while the action ran (a
// MutationObserver sees React set `disabled` meanwhile, and such a button is left as React set it).
// Disabling the focused button blurs it (focus falls to <body>): release() focuses it again, unless
// the app moved focus meanwhile, so a keyboard user keeps their place (WCAG 2.4.3).
function holdSubmitButtons(form) {
  const held = Array.from(form.querySelectorAll('button, input[type="submit" i], input[type="image" i]'))
    .filter((el) => (el.type === 'submit' || el.type === 'image') && !el.disabled)
  const focused = held.find((button) => button === document.activeElement)
  held.forEach((button) => { button.disabled = true })
  const touched = new Set()
  const note = (records) => records.forEach((record) => touched.add(record.target))
  const watch = typeof MutationObserver === 'undefined' ? null : new MutationObserver(note)
  if (watch) held.forEach((button) => watch.observe(button, { attributes: true, attributeFilter: ['disabled'] }))
  return () => {
    if (watch) {
      note(watch.takeRecords())
      watch.disconnect()
    }
    held.forEach((button) => { if (!touched.has(button)) button.disabled = false })
    const now = document.activeElement
    if (focused && !focused.disabled && (!now || now === document.body)) focused.focus({ preventScroll: true })
  }
}

// <Form action="save">: a real <form method="post"> (so it works before hydration), multipart
// unless given another encType (so its files post as files then too), submitted with fetch once
// hydrated, the clicked submit button's name=value included either way. While pending:
// data-pending on the form, the submit buttons that were enabled disabled (and enabled again after;
// the app's `disabled` is never overridden), and another submit (Enter in a field, requestSubmit())
// ignored, so the action runs once. The app's onSubmit runs first, and its event.preventDefault()
// stops the action (a confirm(), say), as with next/form and Remix's <Form>; its ref reaches the <form>.
// onSuccess(result without `ok`); onError(message, fields, result). A failure's message shows in the
// form, onError or not (as in Pyxle 0.9), in <p role="alert" data-pyxle-form-error> (red, or
// `errorClassName` instead); on a page rendered again after a no-JS post of it failed, from the start.
export const Form = /* @__PURE__ */ forwardRef(function Form({ action, pagePath, onSuccess, onError, onSubmit,
  resetOnSuccess = true, errorClassName, children, ...rest }, ref) {
  const page = useContext(PageContext)
  const url = actionUrl(page, pagePath, action)
  const [pending, setPending] = useState(false)
  const key = useId() // the same in the server's render, at hydration and in a render after a post
  const [error, setError] = useState(() => failedHere(page, pagePath, action, key))
  const busy = useRef(false) // set at once: the pending state shows only after a render

  function handleSubmit(event) {
    if (busy.current) {
      event.preventDefault()
      return
    }
    if (onSubmit) {
      try {
        onSubmit(event)
      } catch (caught) {
        event.preventDefault() // a throwing handler must not turn into a plain, full-page post
        throw caught
      }
      if (event.defaultPrevented) return
    }
    event.preventDefault()
    const form = event.currentTarget
    // The fields before the buttons are disabled: a disabled submitter would send no name=value.
    send(form, formData(form, event.nativeEvent.submitter), holdSubmitButtons(form))
  }

  async function send(form, body, release) {
    busy.current = true
    setPending(true)
    setError(null)
    let result
    try {
      result = await callAction(url, body)
    } catch (caught) {
      result = failure(caught)
    } finally {
      busy.current = false
      release()
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
  // _pyxle_form names this form to a re-render after a failed no-JS post; actions never see it.
  const message = error && h('p', { role: 'alert', 'data-pyxle-form-error': '', className: errorClassName,
                                    style: errorClassName ? undefined : ERROR_STYLE }, error)
  const encoding = rest.encType === undefined && rest.enctype === undefined ? { encType: 'multipart/form-data' } : {}
  return h('form', { ...encoding, ...rest, ref, method: 'post', action: url, onSubmit: handleSubmit,
                     'data-pending': pending ? 'true' : undefined, 'aria-busy': pending ? 'true' : undefined },
    h('input', { type: 'hidden', name: '_csrf_token', value: page.csrfToken || '' }),
    h('input', { type: 'hidden', name: '_pyxle_form', value: key }), children, message)
})

// const save = useAction('save'); await save({ title }) -> { ok, ... }. save.pending, .error,
// .fields (per-field errors of the last call), .data (the last successful result, without `ok`).
// A new call aborts the one in flight, which resolves to { ok: false, error: 'Request aborted', aborted: true, ... }.
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
