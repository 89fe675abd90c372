// The document head in the browser: the elements between Pyxle's two marker tags are the page's
// managed head. Client-side navigation replaces them with the new page's HEAD (per level, from
// navigation JSON) and its <Head> elements, merged by the same rules as on the server. From
// hydration on, a <Head> that renders other elements updates the head at once; before the first
// navigation the HEAD part is what the server rendered minus what the <Head> elements rendered.
import { cleanProps, keyOf, mergeEntries, parsed, rawText, rootProps, safe, scriptText } from './_headmerge.js'
import { withNonce } from './_nonce.js'
import RTL from './_rtl.json'

const START = 'meta[name="pyxle-head"][content="start"]'
const END = 'meta[name="pyxle-head"][content="end"]'
const registry = new Map() // Head instance id -> { level, elements }
let baseLevels = null // HEAD variable markup per level, from navigation JSON; null before the first
let ssrBase = null // before the first navigation: the server-rendered head's HEAD entries
let scheduled = false
let held = false // a loading state on screen: the head stays the page left's until a page is shown
let defaultRoot = null // [lang, dir] of a page that sets none: the config's, from the first document

export function registerHead(id, level, elements) {
  registry.set(id, { level, elements })
  schedule()
}

export function unregisterHead(id) {
  registry.delete(id)
  schedule()
}

export function setBaseHead(levels) {
  held = false
  baseLevels = levels
  schedule()
}

// A loading state is about to render: its <Head> changes wait for the page (see setBaseHead).
export function holdHead() {
  held = true
}

function schedule() {
  if (scheduled) return
  scheduled = true
  queueMicrotask(apply)
}

const ATTRIBUTE_NAMES = { className: 'class', htmlFor: 'for', charSet: 'charset', httpEquiv: 'http-equiv' }

// A <Head> element as the node the browser parsed from the server's markup of it (its script
// text escaped, its CRs as LF...), so that one equals the other and is not added twice.
function toNode(element) {
  if (element.nodeType) return element.tagName === 'SCRIPT' ? runnable(element) : element.cloneNode(true)
  const node = document.createElement(element.type)
  for (const [name, value] of Object.entries(cleanProps(element.props || {}))) {
    if (name === 'children') continue
    if (value === false || value == null) continue
    node.setAttribute(ATTRIBUTE_NAMES[name] || name, value === true ? '' : parsed(String(value)))
  }
  if (element.type === 'script') withNonce(node)
  const props = element.props || {}
  const code = scriptText(element.type, props)
  if (code !== null) node.textContent = parsed(rawText(element.type, code))
  else if (props.children != null) {
    node.textContent = parsed(Array.isArray(props.children) ? props.children.join('') : String(props.children))
  }
  return node
}

// A copy of a parsed <script> that runs once put in the head (one parsed from markup never runs), so
// a HEAD script runs on a client navigation to its page, as a <Head> script does.
function runnable(script) {
  const node = document.createElement('script')
  for (const { name, value } of script.attributes) node.setAttribute(name, value)
  node.textContent = script.textContent
  return withNonce(node, script.nonce) // a server-rendered one's attribute reads ''
}

function parse(markup) {
  const template = document.createElement('template')
  template.innerHTML = markup || ''
  return [...template.content.children]
}

// The viewport of a page whose head sets none, first in the managed head as the server writes it
// (pages/_document.py VIEWPORT): a navigation from a page that set its own puts it back.
function defaultViewport() {
  return Object.assign(document.createElement('meta'), { name: 'viewport', content: 'width=device-width, initial-scale=1' })
}

// The head's nodes between the markers that are Pyxle's to change: not those React owns.
function between(start, end) {
  const nodes = []
  for (let node = start.nextSibling; node && node !== end; node = node.nextSibling) if (!owned(node)) nodes.push(node)
  return nodes
}

// A node React 19 put in the head or adopted from the server's (a <title>, <meta> or <link> a
// component renders): React updates and removes it itself, and fails if it is gone (_server.js).
function owned(node) {
  return Object.keys(node).some((name) => name.startsWith('__reactMarker$') || name.startsWith('__reactFiber$'))
}

// What a React-owned node already says gives way: entries with its key, and elements equal to it.
function givesWay(reactNodes) {
  const keys = new Set(reactNodes.map(keyOf).filter((key) => key !== null))
  return (node) => (keyOf(node) !== null && keys.has(keyOf(node))) || reactNodes.some((own) => own.isEqualNode(node))
}

// The page's HEAD entries in a server-rendered head, read once, when the <Head> elements of the
// hydration render have registered: its elements minus one equal to each of theirs. The server
// dropped a <Head> element for a HEAD entry with the same key only when that entry sat at a deeper
// level: such an entry keeps precedence over <Head> elements up to that level. The others sit
// below every <Head>, which replaces them (as a <Head> does a layout's HEAD).
function readSsrBase(start, end) {
  const remaining = between(start, end).filter((node) => node.nodeType === 1)
  const beaten = new Map() // key -> the deepest level of a <Head> element the server's head lacks
  for (const { level, elements } of registry.values()) {
    for (const element of elements) {
      if (typeof element.type !== 'string' || !safe(element)) continue
      const node = toNode(element)
      const index = remaining.findIndex((candidate) => candidate.isEqualNode(node))
      if (index >= 0) remaining.splice(index, 1)
      else if (keyOf(element)) beaten.set(keyOf(element), Math.max(beaten.get(keyOf(element)) ?? -1, level))
    }
  }
  return remaining.map((node) => {
    const key = keyOf(node)
    return { level: key && beaten.has(key) ? beaten.get(key) + 1 : -1, order: 0, element: node }
  })
}

function apply() {
  scheduled = false
  if (held) return
  const start = document.head.querySelector(START)
  const end = document.head.querySelector(END)
  if (!start || !end) return
  const entries = []
  if (baseLevels === null) {
    if (ssrBase === null) ssrBase = readSsrBase(start, end)
    entries.push(...ssrBase)
  } else {
    baseLevels.forEach((markup, level) => {
      for (const node of parse(markup)) entries.push({ level, order: 0, element: node })
    })
  }
  for (const { level, elements } of registry.values()) {
    for (const element of elements) entries.push({ level, order: 1, element })
  }
  applyRoot(rootProps(entries))
  // Elements already in the head stay (a stylesheet is not loaded again): only changes are made.
  const current = between(start, end)
  const kept = new Set()
  const merged = mergeEntries(entries)
  if (!merged.some((element) => keyOf(element) === 'meta:name:viewport')) merged.unshift(defaultViewport())
  const yields = givesWay([...document.head.children].filter(owned))
  const wanted = merged.map(toNode).filter((node) => !yields(node)).map((node) => {
    const same = current.find((candidate) => !kept.has(candidate) && candidate.isEqualNode(node))
    if (same) kept.add(same)
    return same || node
  })
  for (const node of current) if (!kept.has(node)) node.remove()
  let previous = start
  for (const node of wanted) {
    if (previous.nextSibling !== node) previous.after(node)
    if (node.tagName === 'TITLE' && document.title !== node.textContent) document.title = node.textContent
    previous = node
  }
}

const LANG_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/ // as the config's lang must be
const DIRS = new Set(['ltr', 'rtl', 'auto'])
const RTL_LANGUAGES = new Set(RTL.languages)
const RTL_SCRIPTS = new Set(RTL.scripts)

// A language written right to left, by the server's rule (pages/_document.py _html_open, one table).
function rightToLeft(lang) {
  const [language, ...rest] = lang.toLowerCase().split('-')
  const script = rest.find((part) => part.length === 4 && /^[a-z]+$/.test(part))
  return script !== undefined ? RTL_SCRIPTS.has(script) : RTL_LANGUAGES.has(language)
}

// <html lang dir> as the server writes it for the page shown: its <Head><html>'s, checked as the
// server does (pages/_document.py page_root), else the config's. The first document holds that in
// <meta name="pyxle-lang"> when its page set its own, else in its <html>.
function applyRoot(props) {
  const root = document.documentElement
  if (defaultRoot === null) {
    const meta = document.head.querySelector('meta[name="pyxle-lang"]')
    defaultRoot = meta ? [meta.content, null] : [root.getAttribute('lang'), root.getAttribute('dir')]
    if (meta && rightToLeft(meta.content)) defaultRoot[1] = 'rtl'
  }
  let [lang, dir] = defaultRoot
  const own = props && LANG_TAG.test(props.lang ?? '') ? props.lang : null
  const ownDir = props && DIRS.has(props.dir) ? props.dir : null
  if (own !== null || ownDir !== null) {
    lang = own ?? lang
    dir = ownDir ?? (rightToLeft(lang) ? 'rtl' : null)
  }
  if (process.env.NODE_ENV !== 'production' && props) ignored(props)
  if (lang !== null && root.getAttribute('lang') !== lang) root.setAttribute('lang', lang)
  if (dir === null) root.removeAttribute('dir')
  else if (root.getAttribute('dir') !== dir) root.setAttribute('dir', dir)
}

// pyxle dev only: what else a <Head><html> says is not taken, named once per attribute.
const warned = new Set()
function ignored(props) {
  for (const name of Object.keys(props)) {
    if (name === 'lang' || name === 'dir' || name === 'children' || warned.has(name)) continue
    warned.add(name)
    console.warn(`Pyxle: <Head><html ${name}> is ignored: only lang and dir of a <Head><html> set the document's <html>.`)
  }
}
