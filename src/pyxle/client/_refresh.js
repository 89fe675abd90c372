// pyxle dev only: React Fast Refresh. Bundled on its own and loaded as a classic script, so it
// runs before any module: React DOM must find the refresh hook when it starts. The dev build
// adds calls to register(), signature() and track() to each of the project's modules; update()
// re-imports the page with the edited modules and swaps their components in place, state kept.
import Runtime from 'react-refresh/runtime'

Runtime.injectIntoGlobalHook(window)

const hashes = new Map() // module id -> hash of the source it last ran
let needsReload = false

// Called as each project module runs. A module that changed and exports something other than
// components (a helper, a context, a store) cannot be swapped safely: the page reloads instead.
function track(id, hash, onlyComponents) {
  const before = hashes.get(id)
  if (before !== undefined && before !== hash && !onlyComponents) needsReload = true
  hashes.set(id, hash)
}

// Runs the page's new module graph (chunks that did not change keep their URL, so React and
// unchanged code are not run again), then re-renders what changed. False: reload the page.
async function update(pageUrl) {
  needsReload = false
  await import(/* @vite-ignore */ pageUrl)
  if (needsReload) return false
  Runtime.performReactRefresh()
  return true
}

window.__pyxleRefresh = {
  register: Runtime.register,
  signature: Runtime.createSignatureFunctionForTransform,
  track,
  update,
}
