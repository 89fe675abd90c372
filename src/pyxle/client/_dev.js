// pyxle dev only (inlined into each document): reload when the project is rebuilt, and show an
// overlay with the error (file:line, source line) while it is broken. Fixing the file reloads.
(() => {
  const OVERLAY = 'pyxle-dev-overlay'
  function show(message) {
    let box = document.getElementById(OVERLAY)
    if (!box) {
      box = document.createElement('div')
      box.id = OVERLAY
      box.setAttribute('role', 'alert')
      box.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(20,0,0,.92);color:#fff;' +
        'font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;white-space:pre-wrap'
      document.body.append(box)
    }
    box.textContent = 'pyxle dev: the project has an error\n\n' + message
  }
  // A stylesheet-only edit: fetch this page's new CSS URLs and swap the links, keeping React state.
  async function swapStylesheets() {
    try {
      const response = await fetch(location.pathname + location.search, { headers: { 'x-pyxle-navigation': '1' } })
      const body = await response.json()
      if (!body.page) return location.reload()
      const old = [...document.querySelectorAll('link[rel="stylesheet"][href^="/_pyxle/"]')]
      for (const href of body.page.css) {
        const link = document.createElement('link')
        link.rel = 'stylesheet'
        link.href = href
        document.head.append(link)
      }
      old.forEach((link) => link.remove())
    } catch (error) {
      location.reload()
    }
  }
  const events = new EventSource('/__pyxle/events')
  events.addEventListener('reload', () => location.reload())
  events.addEventListener('css', swapStylesheets)
  events.addEventListener('error-report', (event) => show(JSON.parse(event.data).message))
  const initial = document.getElementById('pyxle-dev-error')
  if (initial) show(initial.textContent)
})()
