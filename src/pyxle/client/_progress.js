// The bar along the top of the window while a navigation waits, as Pyxle 0.9 drew it (its element
// id, its opt-outs and its CSS variables): without it a click on a link to a slow page changed
// nothing on screen until the page came (the browser shows no spinner for a fetch), unless the app
// had a loading.pyxl. A page shown within SHOW_DELAY gets no bar, so quick navigations stay quiet.
// The bar creeps toward CAP while the page is awaited and fills once it is shown (or the navigation
// ends otherwise: overtaken, or handed to a full page load, whose own indicator the browser shows).
// Styled through the element's own style, which a Content-Security-Policy allows where a <style>
// would need its nonce; themed with --pyxle-nav-progress-color, -height and -shadow.
const ID = '__pyxle_nav_progress__'
const SHOW_DELAY = 150
const TICK = 400
const CAP = 0.9
const STEP = 0.15 // of what is left to CAP, each tick
const FILL_MS = 200
const FADE_MS = 300
const STYLE = {
  position: 'fixed', top: '0', left: '0', width: '100%', zIndex: '2147483647', pointerEvents: 'none',
  height: 'var(--pyxle-nav-progress-height, 3px)',
  background: 'var(--pyxle-nav-progress-color, linear-gradient(90deg, #10b981 0%, #06b6d4 100%))',
  boxShadow: 'var(--pyxle-nav-progress-shadow, 0 0 10px rgba(16, 185, 129, 0.5))',
  transformOrigin: '0 0', transform: 'scaleX(0)', opacity: '1',
}

// waiting: navigations under way; enabled: configure({ progress }); bar: the element while shown.
const state = { waiting: 0, enabled: true, bar: null, level: 0, timers: [] }

export function configureProgress(enabled) {
  state.enabled = enabled
}

// A navigation starts: answers what to call once it has ended, however it ends.
export function progress() {
  if (!on()) return () => {}
  if (state.waiting++ === 0) {
    stop()
    state.timers.push(setTimeout(show, SHOW_DELAY))
  }
  let ended = false
  return () => {
    if (ended) return
    ended = true
    if (--state.waiting === 0) finish()
  }
}

// Off by configure({ progress: false }), window.__pyxle_disable_progress__ = true or
// <html data-pyxle-progress="off">, the two ways Pyxle 0.9 read.
function on() {
  return state.enabled && window.__pyxle_disable_progress__ !== true &&
    document.documentElement.getAttribute('data-pyxle-progress') !== 'off'
}

function show() {
  const bar = state.bar || document.getElementById(ID) || document.createElement('div')
  Object.assign(bar, { id: ID })
  Object.assign(bar.style, STYLE, still() ? {} : { transition: `transform ${FILL_MS}ms ease-out, opacity ${FADE_MS}ms ease-out` })
  bar.setAttribute('role', 'progressbar')
  bar.setAttribute('aria-label', 'Loading page')
  bar.setAttribute('aria-valuemin', '0')
  bar.setAttribute('aria-valuemax', '100')
  if (!bar.isConnected) document.body.appendChild(bar)
  state.bar = bar
  state.level = 0
  move(0.1)
  state.timers.push(setInterval(() => move(state.level + (CAP - state.level) * STEP), TICK))
}

function move(level) {
  state.level = level
  state.bar.style.transform = `scaleX(${level})`
  state.bar.setAttribute('aria-valuenow', String(Math.round(level * 100)))
}

// The last navigation has ended: a bar shown fills, fades and goes; one not shown yet never is.
function finish() {
  stop()
  const bar = state.bar
  if (!bar) return
  move(1)
  state.timers.push(setTimeout(() => {
    bar.style.opacity = '0'
    state.timers.push(setTimeout(() => {
      bar.remove()
      if (state.bar === bar) state.bar = null
    }, still() ? 0 : FADE_MS))
  }, still() ? 0 : FILL_MS))
}

function stop() {
  for (const timer of state.timers.splice(0)) {
    clearTimeout(timer)
    clearInterval(timer)
  }
}

// A user who asked for less motion gets the bar without its animation.
const still = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches
