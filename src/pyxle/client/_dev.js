// pyxle dev only (inlined into each document): apply each rebuild to the open page, and show an
// overlay with the error (file:line, source line) while the project is broken. Fixing the file
// reloads. An update keeps React state where it can: new stylesheets are swapped in, edited
// components are swapped by Fast Refresh (when the build has it, see _refresh.js), and the
// page's loaders run again; anything that cannot be applied in place reloads the page.
// Errors thrown in the browser show in the same overlay, dismissible (click or Escape).
(() => {
  const OVERLAY = 'pyxle-dev-overlay'
  function show(message, { title = 'the project has an error', dismissible = false } = {}) {
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
    box.textContent = `pyxle dev: ${title}${dismissible ? ' (click or press Escape to dismiss)' : ''}\n\n${message}`
  }
  function dismiss() {
    const box = document.getElementById(OVERLAY)
    if (box && box.dataset.dismissible) box.remove()
  }
  addEventListener('click', (event) => event.target.id === OVERLAY && dismiss())
  addEventListener('keydown', (event) => event.key === 'Escape' && dismiss())

  // A render after navigation, an effect or an event handler that throws would otherwise leave
  // at most a blank page and a console line.
  let updating = false // an error while an update is applied reloads the page instead (see below)
  function showBrowserError(error) {
    if (updating) return
    if (document.getElementById(OVERLAY) && !document.getElementById(OVERLAY).dataset.dismissible) return
    const text = error instanceof Error ? (error.stack && error.stack.includes(error.message) ? error.stack
      : `${error.name}: ${error.message}\n${error.stack || ''}`) : String(error)
    show(text, { title: 'an error in the browser', dismissible: true })
  }
  addEventListener('error', (event) => showBrowserError(event.error ?? event.message))
  addEventListener('unhandledrejection', (event) => showBrowserError(event.reason))

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

  let queue = Promise.resolve()
  async function update(files) {
    const router = window.__PYXLE_ROUTER__
    const hot = window.__pyxleRefresh
    const cssOnly = files.length > 0 && files.every((f) => f.endsWith('.css') && !f.endsWith('.module.css'))
    if (!router || (!hot && !cssOnly)) return location.reload()
    const response = await fetch(location.pathname + location.search, { headers: { 'x-pyxle-navigation': '1' } })
    const body = await response.json()
    if (!body.ok || !body.page) return location.reload()
    router.invalidate() // cached payloads name the old build's chunks and hold the old data
    swapStylesheets(body.page.css)
    if (cssOnly) return
    const applied = await withoutUncaughtErrors(async () => {
      if (!(await hot.update(body.page.js))) throw new Error('needs a reload')
      if (!(await router.refresh())) throw new Error('needs a reload') // the loaders run again, with the edited Python
    }).catch(() => false)
    if (!applied) return location.reload()
    dismiss() // an error shown from the browser belongs to the code just replaced
  }

  const events = new EventSource('/__pyxle/events')
  events.addEventListener('reload', () => location.reload())
  events.addEventListener('update', (event) => {
    const { files } = JSON.parse(event.data)
    queue = queue.then(() => update(files)).catch(() => location.reload())
  })
  events.addEventListener('error-report', (event) => show(JSON.parse(event.data).message))
  const initial = document.getElementById('pyxle-dev-error')
  if (initial) show(initial.textContent)
})()
