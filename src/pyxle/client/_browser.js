// Browser bootstrap: hydrate the server-rendered page with the same tree and the same props.
import { hydrateRoot } from 'react-dom/client'
import { pageTree } from './_tree.js'

export function hydratePage(route) {
  const propsElement = document.getElementById('pyxle-props')
  const props = JSON.parse(propsElement.textContent)
  const root = document.getElementById('pyxle-root')
  window.__PYXLE_ROOT__ = hydrateRoot(root, pageTree(route, props, location.pathname), {
    onRecoverableError(error) {
      console.error('[pyxle] hydration mismatch:', error)
    },
  })
}
