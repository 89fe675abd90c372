// The nonce of this answer's Content-Security-Policy ('' under none): the server renders with the
// request's; in the browser it is the one the document's scripts carry. Browsers hide it from
// getAttribute once parsed, not from the `nonce` property, which is also how a new script gets it.
import { createContext, useContext } from 'react'

export const NonceContext = createContext(null) // the server's render: the request's nonce
let known = null

export function pageNonce() {
  if (known === null && typeof document !== 'undefined') {
    known = [...document.scripts].find((script) => script.nonce)?.nonce || ''
  }
  return known || ''
}

// A script the runtime adds to the document, under a policy that refuses inline scripts: it carries
// `given` (the app's own) or the page's nonce, with the empty attribute a parsed one shows, so that
// a <Head> script equals the server's and is not run again.
export function withNonce(script, given = script.getAttribute('nonce')) {
  const nonce = pageNonce()
  if (nonce) {
    script.setAttribute('nonce', '')
    script.nonce = given || nonce
  }
  return script
}

// The nonce to give a script of the app's own (a tag manager's snippet, a library's): '' without a policy.
export function useNonce() {
  const nonce = useContext(NonceContext)
  return nonce ?? pageNonce()
}
