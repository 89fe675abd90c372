// Head precedence, shared by the server (React elements) and the browser (also DOM nodes):
// entries sort by level (layouts first, the page last) then by order (HEAD variable before
// <Head>); a later entry replaces an earlier one with the same key (data-head-key included).
// Event handlers are dropped and any element carrying a javascript: URL is dropped whole.
const URL_PROPS = new Set(['href', 'src', 'action', 'formAction', 'content'])

function propsOf(element) {
  if (!element.nodeType) return element.props || {}
  const props = {}
  for (const attribute of element.attributes) props[attribute.name] = attribute.value
  return props
}

function typeOf(element) {
  return element.nodeType ? element.tagName.toLowerCase() : element.type
}

export function safe(element) {
  const props = propsOf(element)
  for (const [name, value] of Object.entries(props)) {
    if (URL_PROPS.has(name) && typeof value === 'string' && /^javascript:/i.test(value.replace(/[\s\0]/g, ''))) return false
  }
  return true
}

export function cleanProps(props) {
  const out = {}
  for (const [name, value] of Object.entries(props)) {
    if (/^on/i.test(name) || name === 'dangerouslySetInnerHTML') continue
    out[name] = value
  }
  return out
}

export function keyOf(element) {
  const type = typeOf(element)
  const props = propsOf(element)
  if (!element.nodeType && element.key != null) return `key:${element.key}`
  // data-head-key: the key 0.4 to 0.9 documented, kept in the markup, so it holds across levels too
  if (props['data-head-key'] != null) return `data-head-key:${props['data-head-key']}`
  if (type === 'title') return 'title'
  if (type === 'meta' && props.name) return `meta:name:${props.name}`
  if (type === 'meta' && props.property) return `meta:property:${props.property}`
  if (type === 'meta' && (props.charSet || props.charset)) return 'meta:charset'
  if (type === 'link' && props.rel === 'canonical') return 'link:canonical'
  if (type === 'link' && props.rel === 'preload') {
    return `preload:${props.href}:${props.imageSrcSet ?? props.imagesrcset}`
  }
  if (type === 'script' && props['data-pyxle-script']) return `script:${props['data-pyxle-script']}`
  return null
}

export function mergeEntries(entries) {
  const ordered = [...entries].sort((a, b) => a.level - b.level || (a.order || 0) - (b.order || 0))
  const byKey = new Map()
  const out = []
  for (const { element } of ordered) {
    if (typeof typeOf(element) !== 'string' || !safe(element)) continue
    const k = keyOf(element)
    if (k && byKey.has(k)) out[byKey.get(k)] = element
    else {
      if (k) byKey.set(k, out.length)
      out.push(element)
    }
  }
  return out
}
