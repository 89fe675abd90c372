// What a client-side navigation tells screen readers and keyboards, as Next.js's route announcer and
// SvelteKit do: the new page's name in a live region of the runtime's own (added to the body outside
// the React root, after hydration, so the server's HTML and hydration never see it), and focus moved
// off the link left behind, to the top of the new page. The first load says nothing: the screen
// reader reads the document itself.

const ID = 'pyxle-announcer'
// Visually hidden, still read (set through CSSOM: a CSP that refuses inline style attributes allows it).
const HIDDEN = { position: 'absolute', left: '0', top: '0', width: '1px', height: '1px', overflow: 'hidden',
                 clip: 'rect(0 0 0 0)', clipPath: 'inset(50%)', whiteSpace: 'nowrap', margin: '-1px', padding: '0',
                 border: '0' }

// The live region, added once (a page back from the bfcache has it already): it must exist before
// its text changes for a screen reader to hear the change.
export function announcer() {
  let region = document.getElementById(ID)
  if (region) return region
  region = document.createElement('div')
  region.id = ID
  region.setAttribute('aria-live', 'assertive')
  region.setAttribute('aria-atomic', 'true')
  Object.assign(region.style, HIDDEN)
  document.body.appendChild(region)
  return region
}

// The page a navigation showed: focus to its data-pyxle-focus element, else to the #hash target it
// scrolled to (`anchor`), else to the top (unless an autoFocus element of the page took it as it
// rendered: `before` is what had focus then); its name said once its head is applied (a microtask
// after the render, see _headdom.js).
export function arrived(before, path, anchor) {
  if (document.activeElement === before || document.activeElement === document.body) focusTop(anchor)
  setTimeout(() => {
    announcer().textContent = pageName(path)
  }, 0)
}

// The <title>, else the page's first h1, else its path.
function pageName(path) {
  const heading = document.querySelector('#pyxle-root h1')
  return document.title.trim() || (heading && heading.textContent.trim()) || path
}

// A #hash target takes focus so Tab goes on from it, as after the browser's own load of the URL (one
// that takes none gets tabindex -1 until it loses it); else the body takes focus for a moment
// (tabindex -1), so Tab starts from the top of the document. preventScroll keeps the position the
// navigation scrolled to (a #hash target, a restored one).
function focusTop(anchor) {
  const target = document.querySelector('#pyxle-root [data-pyxle-focus]')
  if (target) return target.focus({ preventScroll: true })
  if (anchor) {
    anchor.focus({ preventScroll: true })
    if (document.activeElement !== anchor && !anchor.hasAttribute('tabindex')) {
      anchor.tabIndex = -1
      anchor.focus({ preventScroll: true })
      if (document.activeElement === anchor) anchor.addEventListener('blur', () => anchor.removeAttribute('tabindex'), { once: true })
      else anchor.removeAttribute('tabindex')
    }
    if (document.activeElement === anchor) return
  }
  const body = document.body
  const tabindex = body.getAttribute('tabindex')
  body.tabIndex = -1
  body.focus({ preventScroll: true })
  if (tabindex === null) body.removeAttribute('tabindex')
  else body.setAttribute('tabindex', tabindex)
}
