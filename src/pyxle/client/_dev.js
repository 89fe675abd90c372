// pyxle dev only (inlined into each document): apply each rebuild to the open page, and show an
// overlay with the error (file:line, source line) while the project is broken. The fix is an
// update like any other, and the overlay goes once it is applied. An update keeps React state
// where it can: new stylesheets are swapped in, edited components are swapped by Fast Refresh
// (when the build has it, see _refresh.js), and the page's loaders run again; anything that
// cannot be applied in place reloads the page.
// Errors thrown in the browser show in the same overlay, dismissible (click or Escape).
(() => {
  const OVERLAY = 'pyxle-dev-overlay'
  // The build this page came from (absent on the error page): when the event stream (re)connects
  // to a server whose build differs, edits were made while it was disconnected (or the server was
  // restarted), and the page reloads.
  const own = (document.currentScript && document.currentScript.dataset) || {}
  let build = own.pyxleBuild || null
  function show(message, { title = 'the project has an error', dismissible = false, report = false } = {}) {
    let box = document.getElementById(OVERLAY)
    if (!box) {
      box = document.createElement('div')
      box.id = OVERLAY
      box.setAttribute('role', 'alert')
      box.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(20,0,0,.92);color:#fff;' +
        'font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;white-space:pre-wrap'
      document.body.append(box)
    }
    box.dataset.dismissible = dismissible ? 'yes' : ''
    box.dataset.report = report ? 'yes' : '' // the server's report (it goes when the server clears it)
    box.textContent = `pyxle dev: ${title}${dismissible ? ' (click or press Escape to dismiss)' : ''}\n\n${message}`
  }
  function dismiss() {
    const box = document.getElementById(OVERLAY)
    if (box && box.dataset.dismissible) {
      if (reportedOf && box.textContent.endsWith(reported)) dismissed = reported
      box.remove()
    }
  }
  // What the server reports wrong now (a compile error, a refused setting), as its events last
  // said: shown again as an update is applied, or, when nothing is, its overlay goes (an error
  // thrown in the browser stays until dismissed, or until an update replaces the code it came from).
  let reported = null
  let reportedOf = false // the report is of other pages, which answer it themselves: it may be dismissed
  let dismissed = null // such a report, once dismissed: not shown again over each update while it stands
  function showReported() {
    const box = document.getElementById(OVERLAY)
    if (reported && !(reportedOf && dismissed === reported)) show(reported, { dismissible: reportedOf, report: true })
    else if (!reported && box && (!box.dataset.dismissible || box.dataset.report)) box.remove()
  }
  addEventListener('click', (event) => event.target.id === OVERLAY && dismiss())
  addEventListener('keydown', (event) => event.key === 'Escape' && dismiss())

  // Stack frames point into the bundles (/_pyxle/page_index-X.js:23:9); the dev build's source maps
  // turn them into the user's files (pages/index.pyxl:4:28), and the first frame in the project's
  // own code gets its source line, as errors found by the server have.
  const BASE64 = Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]))
  function decodeMappings(mappings) { // per generated line: [[column, source, line, column], ...], 0-based
    const state = [0, 0, 0]
    return mappings.split(';').map((text) => {
      let column = 0
      return text.split(',').filter(Boolean).map((segment) => {
        const values = []
        let value = 0
        let shift = 0
        for (const char of segment) {
          const digit = BASE64[char]
          value += (digit & 31) << shift
          if (digit & 32) {
            shift += 5
          } else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1)
            value = shift = 0
          }
        }
        column += values[0]
        if (values.length < 4) return [column]
        for (let i = 0; i < 3; i++) state[i] += values[i + 1]
        return [column, ...state]
      })
    })
  }
  // A map's source as the file's path: esbuild writes them as URLs, `caf%C3%A9 100%25.pyxl` for
  // `café 100%.pyxl` (each `%` encoded too, so decoding gives the name back exactly).
  function fromURL(source) {
    try {
      return decodeURIComponent(source)
    } catch {
      return source // not esbuild's (a package's own map): as it is
    }
  }
  // A source's path as the overlay names it: relative to the project for its own files, absolute
  // for the others (a node_modules that links elsewhere). esbuild writes it relative to the map's
  // folder: the one served at /_pyxle/ is data-pyxle-maps (absolute), the project's root
  // data-pyxle-root. A virtual module's (`pyxle-entry:index`) and an absolute one stay as they are.
  function sourcePath(source, url) {
    const file = fromURL(source)
    if (file.startsWith('/') || /^[\w-]+:/.test(file)) return file
    const served = new URL(url).pathname
    if (!own.pyxleMaps || !own.pyxleRoot || !served.startsWith('/_pyxle/')) return file.replace(/^(\.\.?\/)+/, '')
    const parts = [...own.pyxleMaps.split('/'), ...served.slice('/_pyxle/'.length).split('/').slice(0, -1)]
    for (const part of file.split('/')) {
      if (part === '..') {
        if (parts.length > 1) parts.pop()
      } else if (part !== '.') parts.push(part)
    }
    const absolute = parts.join('/')
    const root = own.pyxleRoot.endsWith('/') ? own.pyxleRoot : `${own.pyxleRoot}/`
    return absolute.startsWith(root) ? absolute.slice(root.length) : absolute
  }
  const maps = new Map() // bundle URL -> Promise of its decoded source map, or null
  function sourceMap(url) {
    if (!maps.has(url)) {
      maps.set(url, fetch(`${url}.map`).then((response) => (response.ok ? response.json() : null)).then((map) => map && {
        sources: map.sources.map((source) => sourcePath(source, url)),
        contents: map.sourcesContent || [],
        lines: decodeMappings(map.mappings),
      }).catch(() => null))
    }
    return maps.get(url)
  }
  const FRAME = /(https?:\/\/[^\s()]+?\/_pyxle\/[^\s()]+?\.js):(\d+):(\d+)/
  async function located(stack) {
    let shown = false
    const out = []
    for (const line of stack.split('\n')) {
      const found = FRAME.exec(line)
      const map = found && new URL(found[1]).origin === location.origin && (await sourceMap(found[1]))
      const segment = map && (map.lines[Number(found[2]) - 1] || []).findLast((s) => s[0] <= Number(found[3]) - 1 && s.length > 1)
      if (!segment) {
        out.push(line)
        continue
      }
      const [, source, row, column] = segment
      const file = map.sources[source]
      out.push(line.replace(found[0], `${file}:${row + 1}:${column + 1}`))
      const text = (map.contents[source] || '').split('\n')[row]
      if (!shown && text !== undefined && !file.includes('node_modules/') && !file.includes(':')) {
        shown = true
        const number = `${row + 1} | `
        out.push('', `  ${number}${text}`, `  ${' '.repeat(number.length + column)}^`, '')
      }
    }
    return out.join('\n')
  }

  // What was thrown, as text: an Error's stack, else String() of it. A value with no text form
  // (Object.create(null), a toString that throws, a revoked Proxy) is shown as the runtime's
  // _text.mjs shows it in the browser, which this inline script cannot import: had making its
  // text thrown here, the overlay would show that TypeError from Pyxle's own code instead.
  function describe(error) {
    try {
      if (!(error instanceof Error)) return String(error)
      return error.stack && error.stack.includes(error.message) ? error.stack
        : `${error.name}: ${error.message}\n${error.stack || ''}`
    } catch {
      try {
        return Object.prototype.toString.call(error)
      } catch {
        return `[${typeof error}]`
      }
    }
  }

  // A render after navigation, an effect or an event handler that throws would otherwise leave
  // at most a blank page and a console line.
  let updating = false // an error while an update is applied reloads the page instead (see below)
  function showBrowserError(error) {
    showDismissible(describe(error), 'an error in the browser')
  }
  function showDismissible(text, title) {
    if (updating) return
    if (document.getElementById(OVERLAY) && !document.getElementById(OVERLAY).dataset.dismissible) return
    const options = { title, dismissible: true }
    show(text, options)
    located(text).then((mapped) => {
      const box = document.getElementById(OVERLAY)
      if (mapped !== text && box && box.dataset.dismissible && box.textContent.endsWith(text)) show(mapped, options)
    }, () => {})
  }
  addEventListener('error', (event) => showBrowserError(event.error ?? event.message))
  addEventListener('unhandledrejection', (event) => showBrowserError(event.reason))

  // A hydration mismatch (text the server and the browser render differently: a clock, a random
  // number) is only a console line otherwise, which React recovers from by rendering in the
  // browser: the bootstrap (_browser.js) hands it here, with the page's file. React 19's message
  // holds the text that differs; its component stack is mapped to the user's files like a stack.
  // React 18 reports one mismatch as several errors, the first saying what differed: all are shown.
  const mismatches = []
  window.__pyxleDevOverlay = {
    hydrationMismatch(error, info, file) {
      const stack = info && typeof info.componentStack === 'string' ? info.componentStack.replace(/^\n+/, '') : ''
      let text = error instanceof Error ? error.message : describe(error)
      if (stack && !text.includes(stack)) text += `\n\nin the component:\n${stack}`
      if (!mismatches.includes(text)) mismatches.push(text)
      showDismissible(mismatches.join('\n\n'), `a hydration mismatch in ${file || 'this page'}`)
    },
  }

  function swapStylesheets(hrefs) {
    const old = [...document.querySelectorAll('link[rel="stylesheet"][href^="/_pyxle/"]')]
    if (old.map((link) => link.getAttribute('href')).join() === hrefs.join()) return
    for (const href of hrefs) {
      const link = document.createElement('link')
      link.rel = 'stylesheet'
      link.href = href
      document.head.append(link)
    }
    old.forEach((link) => link.remove())
  }

  // A render that throws while an update is applied would leave a blank page: reload instead, and
  // the server answers with the error page (file:line).
  async function withoutUncaughtErrors(apply) {
    let failed = false
    const onError = () => { failed = true }
    addEventListener('error', onError)
    updating = true
    try {
      await apply()
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      updating = false
      removeEventListener('error', onError)
    }
    return !failed
  }

  // Updates are applied one at a time, in order. Those that arrive while one is applied wait, and
  // are then applied as one (the files of all of them): a newer build supersedes the older ones.
  let queue = Promise.resolve()
  let waiting = null // the files of the updates not applied yet
  function enqueue(files) {
    waiting = [...(waiting || []), ...files]
    queue = queue.then(() => {
      if (!waiting) return // applied along with an earlier one
      const all = waiting
      waiting = null
      return update(all)
    }).catch(() => location.reload())
  }

  // The overlay's text for a page whose navigation answer is an error: its message and, where
  // the server shows the exception (pyxle dev), the traceback.
  function failure(error, status) {
    const message = `the page answered ${status}: ${error.message ?? ''}`
    return error.stack ? `${message}\n\n${error.stack}` : message
  }

  async function update(files) {
    const router = window.__PYXLE_ROUTER__
    const hot = window.__pyxleRefresh
    const cssOnly = files.length > 0 && files.every((f) => f.endsWith('.css') && !f.endsWith('.module.css'))
    if (!router || (!hot && !cssOnly)) return location.reload()
    const response = await fetch(location.pathname + location.search, { headers: { 'x-pyxle-navigation': '1' } })
    const body = await response.json()
    if (waiting) { // a newer build came meanwhile: apply that one (this answer may be of either)
      waiting = [...files, ...waiting]
      return
    }
    // A loader that raised an unexpected exception (the answer carries its traceback) is shown from
    // this answer: reloading would run it again, a second traceback in the server's log. The page
    // stays under the overlay, and the fix is applied in place, as after a compile error. An error
    // page the page answers on purpose (a LoaderError, an HTTPException: no traceback) and a 404
    // (the page was deleted or renamed) are no error of the project's: the page is loaded again,
    // its error page as it is now.
    if (!body.ok && body.error && !body.redirect && body.error.stack) {
      return show(failure(body.error, response.status))
    }
    // This page does not build (the others do, and the update is theirs): its error is shown over
    // it, not dismissible, and the page under it keeps its state until the fix is applied in place.
    if (body.error === 'Build failed' && typeof body.detail === 'string') {
      reportedOf = false
      return show(reported = body.detail)
    }
    if (!body.ok || !body.page) return location.reload()
    router.invalidate() // cached payloads name the old build's chunks and hold the old data
    showReported() // a fixed compile error's overlay goes as the fix is applied
    swapStylesheets(body.page.css)
    if (cssOnly) return
    let shown = true
    const applied = await withoutUncaughtErrors(async () => {
      if (!(await hot.update(body.page.js))) throw new Error('needs a reload')
      // The page is shown from this answer: its data (the loaders ran again, with the edited
      // Python) and the very module Fast Refresh applied, not a newer build's.
      shown = await router.refreshWith(body)
    }).catch(() => false)
    // Not shown: the render threw outside every error page and the router reloads the page itself
    // (once: the server answers with the render error's overlay), or a navigation overtook it. Shown
    // but not applied: an error page caught what the edited page threw; reloading shows the overlay.
    if (!shown) return
    if (!applied) return location.reload()
    const box = document.getElementById(OVERLAY) // an error shown from the browser belongs to the code just replaced
    if (box && box.dataset.dismissible && !box.dataset.report) box.remove()
  }

  const events = new EventSource('/__pyxle/events')
  events.addEventListener('hello', (event) => { // the first message of every connection
    const current = JSON.parse(event.data).build
    if (build && build !== current) return location.reload()
    build = current
  })
  events.addEventListener('reload', () => location.reload())
  events.addEventListener('update', (event) => {
    const { files, build: next, report, dismissible } = JSON.parse(event.data)
    build = next || build // applied in place below, or the page reloads
    reported = report || null
    reportedOf = Boolean(dismissible)
    enqueue(files)
  })
  events.addEventListener('error-report', (event) => {
    const { message, dismissible } = JSON.parse(event.data)
    reported = message || null
    reportedOf = Boolean(dismissible)
    if (!(reportedOf && dismissed === reported)) show(reported || '', { dismissible: reportedOf, report: true })
  })
  const initial = document.getElementById('pyxle-dev-error')
  if (initial) show(reported = initial.textContent)
})()
