// Where a Link or navigate() goes, as a string: a string as it is, a URL or Location by its href,
// and Next.js's UrlObject ({ pathname, query, search, hash }) formatted as Next.js's formatUrl
// does, so a ported `<Link href={{ pathname, query }}>` renders the same href on the server and in
// the browser instead of "[object Object]".
const SLASHED = /https?|ftp|gopher|file/

export function hrefOf(to, who = 'navigate() or prefetch()') {
  if (typeof to === 'string') return to
  if (typeof URL !== 'undefined' && to instanceof URL) return to.href
  if (typeof Location !== 'undefined' && to instanceof Location) return to.href
  if (isUrlObject(to)) return formatUrl(to)
  if (process.env.NODE_ENV !== 'production') wrongHref(to, who)
  return to
}

function isUrlObject(to) {
  if (!to || typeof to !== 'object' || Array.isArray(to)) return false
  const proto = Object.getPrototypeOf(to)
  return proto === Object.prototype || proto === null
}

// pyxle dev only (a production build drops it): named once per kind of value, in the browser.
let told = null
function wrongHref(to, who) {
  told = told || new Set()
  const shown = describe(to)
  if (typeof window === 'undefined' || told.has(who + shown)) return
  told.add(who + shown)
  console.error(`Pyxle: ${who} got href ${shown}, which is neither a string nor a URL object ` +
    "({ pathname, query, search, hash }). Give it a path such as '/blog?page=5', or " +
    "{ pathname: '/blog', query: { page: 5 } }.")
}

function describe(value) {
  if (value === null || value === undefined) return String(value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `a ${value.constructor ? value.constructor.name : 'object'}`
  return `${typeof value} ${String(value)}`
}

// Next.js's formatUrl (next/dist/shared/lib/router/utils/format-url), which follows Node's url.format.
export function formatUrl(url) {
  let protocol = url.protocol || ''
  let pathname = url.pathname || ''
  let hash = url.hash || ''
  let query = url.query || ''
  let host = hostOf(url)
  if (query && typeof query === 'object') query = String(searchParams(query))
  let search = url.search || (query && `?${query}`) || ''
  if (protocol && !protocol.endsWith(':')) protocol += ':'
  if (url.slashes || ((!protocol || SLASHED.test(protocol)) && host !== false)) {
    host = '//' + (host || '')
    if (pathname && pathname[0] !== '/') pathname = '/' + pathname
  } else if (!host) {
    host = ''
  }
  if (hash && hash[0] !== '#') hash = '#' + hash
  if (search && search[0] !== '?') search = '?' + search
  pathname = pathname.replace(/[?#]/g, encodeURIComponent)
  search = search.replace('#', '%23')
  return `${protocol}${host}${pathname}${search}${hash}`
}

function hostOf({ auth, host, hostname, port }) {
  const user = auth ? encodeURIComponent(auth).replace(/%3A/i, ':') + '@' : ''
  if (host) return user + host
  if (!hostname) return false
  return user + (hostname.includes(':') ? `[${hostname}]` : hostname) + (port ? ':' + port : '')
}

// A query object's values: strings, numbers and booleans as text, arrays as repeated keys, anything
// else as an empty value (Next.js's urlQueryToSearchParams).
function searchParams(query) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, text(item))
    else params.set(key, text(value))
  }
  return params
}

function text(value) {
  const plain = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && !isNaN(value))
  return plain ? String(value) : ''
}
