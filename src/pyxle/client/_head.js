// <Head>: elements for the document head, from any component. Server rendering collects them;
// precedence is by nesting (page over layout), then de-duplicated and sanitised.
import { createElement as h, Fragment, Children, isValidElement, useContext } from 'react'
import { HeadCollector, HeadLevel } from './_context.js'

export function Head({ children }) {
  const collector = useContext(HeadCollector)
  const level = useContext(HeadLevel)
  if (collector) {
    Children.forEach(children, (child) => {
      if (isValidElement(child)) collector.push({ level, element: child })
    })
  }
  return null
}

const URL_PROPS = new Set(['href', 'src', 'action', 'formAction', 'content'])

// Event handlers and raw HTML are dropped; an element carrying a javascript: URL is dropped whole.
function safeProps(props) {
  const out = {}
  for (const [name, value] of Object.entries(props)) {
    if (/^on/i.test(name) || name === 'dangerouslySetInnerHTML') continue
    if (URL_PROPS.has(name) && typeof value === 'string' && /^\s*javascript:/i.test(value.replace(/[\s\0]/g, ''))) return null
    out[name] = value
  }
  return out
}

function dedupeKey(element) {
  const { type, props, key } = element
  if (key != null) return `key:${key}`
  if (type === 'title') return 'title'
  if (type === 'meta' && props.name) return `meta:name:${props.name}`
  if (type === 'meta' && props.property) return `meta:property:${props.property}`
  if (type === 'meta' && props.charSet) return 'meta:charset'
  if (type === 'link' && props.rel === 'canonical') return 'link:canonical'
  return null
}

// Ordered, de-duplicated, sanitised head elements: a later (deeper) element replaces an earlier one.
export function mergeHead(entries) {
  const ordered = [...entries].sort((a, b) => a.level - b.level)
  const byKey = new Map()
  const out = []
  for (const { element } of ordered) {
    if (typeof element.type !== 'string') continue // only plain head tags (title, meta, link, ...)
    const props = safeProps(element.props)
    if (props === null) continue
    const clean = h(element.type, { ...props, key: out.length })
    const k = dedupeKey(element)
    if (k && byKey.has(k)) out[byKey.get(k)] = clean
    else {
      if (k) byKey.set(k, out.length)
      out.push(clean)
    }
  }
  return h(Fragment, null, ...out)
}
