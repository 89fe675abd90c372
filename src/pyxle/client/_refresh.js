// pyxle dev only: React Fast Refresh. Bundled on its own and loaded as a classic script, so it
// runs before any module: React DOM must find the refresh hook when it starts. The dev build
// adds calls to register(), signature() and track() to each of the project's modules; update()
// re-imports the page with the edited modules and swaps their components in place, state kept.
import Runtime from 'react-refresh/runtime'

Runtime.injectIntoGlobalHook(window)

const hashes = new Map() // module id -> hash of the source it last ran
const imported = new Set() // page module URLs this document has imported through update()
let needsReload = false
let pinned = null // URL of the chunk holding React and the Pyxle runtime (see PIN in build.mjs)
let current = null // URL of the page module last applied
let updating = false // an update() is running the new modules

// Called as each project module runs. A module that changed and exports something other than
// components (a helper, a context, a store) cannot be swapped safely: the page reloads instead.
function track(id, hash, onlyComponents) {
  const before = hashes.get(id)
  if (before !== undefined && before !== hash && !onlyComponents) needsReload = true
  hashes.set(id, hash)
}

// Called as the chunk holding React runs (with React's and the runtime's modules too, unused: see
// PIN in build.mjs). Once more with another URL means a second React (and a second router) now
// runs beside the first: nothing on the page can be trusted, so it reloads.
function pin(url) {
  if (pinned === null) pinned = url
  else if (url !== pinned) {
    needsReload = true
    if (!updating) location.reload()
  }
}

// Whether the page module at `url` still imports React from the chunk this document runs: a
// build that changed that chunk (a page now uses an export of React's chunk it did not, or a
// checkout changed the packages) gives it a new URL, which must never be imported.
async function sharesReact(url) {
  if (pinned === null) return true // a build without the pin: nothing to compare with
  const response = await fetch(url)
  if (!response.ok) return false
  return (await response.text()).includes(JSON.stringify(new URL(pinned).pathname))
}

// Runs the page's new module graph (chunks that did not change keep their URL, so React and
// unchanged code are not run again), then re-renders what changed. False: reload the page.
// Each edit gives the edited modules' chunks a URL never seen before (build.mjs); a URL this
// document has already imported would not run again, so it cannot be applied in place.
async function update(pageUrl) {
  const url = new URL(pageUrl, location.href).href
  if (url === current) return true // the page's code did not change (a Python edit)
  if (imported.has(url) || !(await sharesReact(url))) return false
  current = url
  imported.add(url)
  needsReload = false
  updating = true
  try {
    await import(/* @vite-ignore */ url)
  } finally {
    updating = false
  }
  if (needsReload) return false
  Runtime.performReactRefresh()
  return true
}

// The page module the document started with (its URL is the first module script's).
const first = document.querySelector('script[type="module"][src^="/_pyxle/"]')
if (first) {
  current = new URL(first.getAttribute('src'), location.href).href
  imported.add(current)
}

window.__pyxleRefresh = {
  register: Runtime.register,
  signature: Runtime.createSignatureFunctionForTransform,
  family: Runtime.getFamilyByType, // a registered component's family, which its edits keep
  track,
  pin,
  update,
}
