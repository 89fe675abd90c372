// Browser bootstrap: the first page module loaded hydrates the server-rendered document with the
// same tree and props, and starts the router; modules imported later by navigation only
// provide their route. An empty root (a server without Node) is rendered here instead.
import { version } from 'react'
import { createRoot, hydrateRoot } from 'react-dom/client'
import { decodePath, pageErrors, startRouter, uncaughtError } from './_router.js'
import { csrfToken, exposeCsrfNames } from './_actions.js'
import { pageTree } from './_tree.js'

exposeCsrfNames() // before any page module's code runs: 0.9 apps read them at any time

export function boot(route) {
  if (window.__PYXLE_ROOT__) return
  const props = JSON.parse(document.getElementById('pyxle-props').textContent)
  ownUrl(props.actionPage)
  const tree = pageTree(route, props, decodePath(location.pathname), csrfToken(), pageErrors)
  const container = document.getElementById('pyxle-root')
  const options = {
    onRecoverableError(error, errorInfo) {
      // A Suspense boundary that failed on the server (streamed with a digest; the details are in
      // the server's log) is rendered here instead: expected, not a mismatch. React 19 puts the
      // digest on the error, React 18 in the second argument (read only there: React 19's dev
      // build warns of any read of it). A mismatch also opens the dev overlay under pyxle dev
      // (_dev.js), naming the page's file (a dev build's route has it).
      const digest = (error && error.digest) || (version.startsWith('18.') && errorInfo && errorInfo.digest)
      if (digest) return console.info(`[pyxle] a part of this page was rendered in the browser (digest ${digest})`)
      console.error('[pyxle] hydration mismatch:', error)
      if (window.__pyxleDevOverlay) window.__pyxleDevOverlay.hydrationMismatch(error, errorInfo, route.file)
    },
    onUncaughtError: uncaughtError,
  }
  let root
  if (container.hasChildNodes()) root = hydrateRoot(container, tree, options)
  else (root = createRoot(container, options)).render(tree) // nothing to hydrate: no server render
  window.__PYXLE_ROOT__ = root
  startRouter(root, shapes('pyxle-dotted-pages'), shapes('pyxle-api-folders'), sharedCode(), { route, props },
              shapes('pyxle-loading-pages'))
}

// A page rendered again after a plain form post failed arrives at the action's URL: before it hydrates,
// the entry gets the page's own URL (`url`, the path the server rendered it at, and its query), so
// usePathname() matches the server's HTML and a reload, Back and the router go on from the page.
function ownUrl(url) {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return
  try {
    history.replaceState(history.state, '', url)
  } catch (error) {} // not this origin's: left as it is
}

// URL shapes of the app as a whole, from the document (see isPage in _router.js): the pages whose
// last segment may hold a dot, the nested api/ folders that hold routes. In the page's own module,
// each page added would change every page's hash.
function shapes(id) {
  const data = document.getElementById(id)
  return data ? JSON.parse(data.textContent) : []
}

// What names the code this build's pages share (a production build's; '' otherwise): a page of a
// build whose differs is loaded in full (see ownBuild in _router.js).
function sharedCode() {
  const meta = document.querySelector('meta[name="pyxle-shared"]')
  return meta ? meta.content : ''
}
