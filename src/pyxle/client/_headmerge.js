// Head precedence, shared by the server (React elements) and the browser (also DOM nodes):
// entries sort by level (layouts first, the page last) then by order (HEAD variable before
// <Head>); a later entry replaces an earlier one with the same key (data-head-key included).
// Event handlers are dropped and any element carrying a javascript: URL is dropped whole.
// The text of a <script> or <style> (a child or dangerouslySetInnerHTML) is written escaped (rawText)
// and compared as the browser parsed it (parsed), so the server's element equals the browser's own.
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

// A group is one level's HEAD (order 0) or its <Head>s (order 1). Several `meta property` of one
// group are all kept, as OpenGraph's arrays need (og:image, article:tag); a later group's replace
// them all (pages/_render.py merge_head, the server's twin).
export function mergeEntries(entries) {
  const ordered = [...entries].sort((a, b) => a.level - b.level || (a.order || 0) - (b.order || 0))
  const held = new Map() // key -> { group, at: [indexes] }
  const out = []
  for (const { element, level, order } of ordered) {
    const type = typeOf(element)
    if (typeof type !== 'string' || type === 'html' || !safe(element)) continue // <html>: see rootProps
    const k = keyOf(element)
    if (k === 'meta:charset') continue // the document is UTF-8, which its first tag says already
    const group = `${level}:${order || 0}`
    const found = k && held.get(k)
    if (!found) {
      if (k) held.set(k, { group, at: [out.length] })
      out.push(element)
    } else if (found.group === group && k.startsWith('meta:property:')) {
      found.at.push(out.length)
      out.push(element)
    } else {
      const [first, ...rest] = found.at
      out[first] = element
      for (const index of rest) out[index] = null
      held.set(k, { group, at: [first] })
    }
  }
  return out.filter((element) => element !== null)
}

// A <Head><html lang dir /> sets the document's language (react-helmet's pattern); it is no element
// of the head. Its props: the deepest level's, the later of one level's; null when none has one.
export function rootProps(entries) {
  let found = null
  for (const entry of entries) {
    if (typeOf(entry.element) === 'html' && (found === null || entry.level >= found.level)) found = entry
  }
  return found && propsOf(found.element)
}

// The text of a <script> or <style>: its string child (or array of strings) or, as Next.js's JSON-LD
// recipe writes it, its dangerouslySetInnerHTML.__html, taken as text and escaped by rawText like a
// child; null for any other element (cleanProps drops the prop there) or when it has neither.
export function scriptText(type, props) {
  if (type !== 'script' && type !== 'style') return null
  const text = props.children
  if (typeof text === 'string' || Array.isArray(text)) return [].concat(text).join('')
  const inner = props.dangerouslySetInnerHTML
  return inner && inner.__html != null ? String(inner.__html) : null
}

// The text of a <script> or <style> as the server writes it, so no data in it closes the element or
// keeps the real end tag from closing it (`<!--<script>` would: HTML's "double escaped" state).
// In a script, the `s` of `<script` and `</script` becomes \u0073 (\u0053 for `S`), as React 19
// writes script text: the same character in a JS or JSON string, a template, a regular expression,
// an identifier (`a<script`). In a style, `</style` becomes `<\/style`, a CSS escape of `/`.
export function rawText(type, text) {
  if (type === 'style') return text.replace(/<\/(style)/gi, '<\\/$1')
  return text.replace(/(<\/?)(s)(cript)/gi, (_, open, s, rest) => `${open}${s === 's' ? '\\u0073' : '\\u0053'}${rest}`)
}

// Text as the browser's HTML parser reads it from the server's document: CR and CRLF as LF, NUL
// and a lone surrogate (which UTF-8 cannot carry) as U+FFFD.
export function parsed(text) {
  return text.replace(/\r\n?/g, '\n').replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF\0]/g,
    (found) => (found.length === 2 ? found : '\uFFFD'))
}
