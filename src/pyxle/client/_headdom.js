// The document head in the browser: the elements between Pyxle's two marker tags are the page's
// managed head. Client-side navigation replaces them with the new page's HEAD (per level, from
// navigation JSON) and its <Head> elements, merged by the same rules as on the server.
import { cleanProps, mergeEntries } from './_headmerge.js'

const START = 'meta[name="pyxle-head"][content="start"]'
const END = 'meta[name="pyxle-head"][content="end"]'
const registry = new Map() // Head instance id -> { level, elements }
let baseLevels = null // HEAD variable markup per level, from navigation JSON; null = keep SSR head
let scheduled = false

export function registerHead(id, level, elements) {
  registry.set(id, { level, elements })
  schedule()
}

export function unregisterHead(id) {
  registry.delete(id)
  schedule()
}

export function setBaseHead(levels) {
  baseLevels = levels
  schedule()
}

function schedule() {
  if (scheduled || baseLevels === null) return // before the first navigation the SSR head is right
  scheduled = true
  queueMicrotask(apply)
}

const ATTRIBUTE_NAMES = { className: 'class', htmlFor: 'for', charSet: 'charset', httpEquiv: 'http-equiv' }

function toNode(element) {
  if (element.nodeType) return element.cloneNode(true)
  const node = document.createElement(element.type)
  for (const [name, value] of Object.entries(cleanProps(element.props || {}))) {
    if (name === 'children') continue
    if (value === false || value == null) continue
    node.setAttribute(ATTRIBUTE_NAMES[name] || name, value === true ? '' : String(value))
  }
  const children = element.props && element.props.children
  if (children != null) node.textContent = Array.isArray(children) ? children.join('') : String(children)
  return node
}

function parse(markup) {
  const template = document.createElement('template')
  template.innerHTML = markup || ''
  return [...template.content.children]
}

function apply() {
  scheduled = false
  const entries = []
  baseLevels.forEach((markup, level) => {
    for (const node of parse(markup)) entries.push({ level, order: 0, element: node })
  })
  for (const { level, elements } of registry.values()) {
    for (const element of elements) entries.push({ level, order: 1, element })
  }
  const merged = mergeEntries(entries)
  const start = document.head.querySelector(START)
  const end = document.head.querySelector(END)
  if (!start || !end) return
  while (start.nextSibling && start.nextSibling !== end) start.nextSibling.remove()
  for (const element of merged) {
    const node = toNode(element)
    end.before(node)
    if (node.tagName === 'TITLE') document.title = node.textContent
  }
}
