// <Head>: elements for the document head, from any component. Server rendering collects them
// per nesting level; in the browser, from hydration on, they are applied to document.head by
// the head manager (_headdom.js). Precedence: page over layout.
import { cloneElement, createElement as h, Fragment, Children, isValidElement, useContext, useEffect, useId } from 'react'
import { HeadCollector, HeadLevel } from './_context.js'
import { registerHead, unregisterHead } from './_headdom.js'
import { cleanProps, mergeEntries, rawText, scriptText } from './_headmerge.js'

export function Head({ children }) {
  const collector = useContext(HeadCollector)
  const level = useContext(HeadLevel)
  const id = useId()
  const elements = []
  Children.forEach(children, (child) => {
    if (isValidElement(child)) elements.push(joinTitle(child))
  })
  if (collector) for (const element of elements) collector.push({ level, element })
  useEffect(() => {
    registerHead(id, level, elements)
    return () => unregisterHead(id)
  })
  return null
}

// `<title>Hello {name}</title>` has an array of children: React 19 renders such a title empty (it
// wants one string), React 18 as the text. A title whose children are only text (strings, numbers,
// arrays and fragments of them) gets that text as one string; any other keeps its children.
function joinTitle(element) {
  if (element.type !== 'title') return element
  const children = element.props.children
  const text = textOf(children)
  return text === null || text === children ? element : cloneElement(element, null, text)
}

// The text of children that are only text, as React would show it; null if an element is among them.
function textOf(children) {
  if (children == null || typeof children === 'boolean') return ''
  if (typeof children === 'string') return children
  if (typeof children === 'number' || typeof children === 'bigint') return String(children)
  if (Array.isArray(children)) {
    const parts = children.map(textOf)
    return parts.includes(null) ? null : parts.join('')
  }
  if (isValidElement(children) && children.type === Fragment) return textOf(children.props.children)
  return null
}

// Server side: the merged, sanitised elements of one level as a fragment for static markup.
export function mergeHead(entries) {
  const merged = mergeEntries(entries.map((e) => ({ ...e, order: 1 })))
  return h(Fragment, null, ...merged.map((element, key) =>
    h(element.type, { ...cleanProps(element.props), key, ...rawChild(element) })))
}

// The code of a <script> or <style> as written, escaped by rawText: React 18 would escape it like
// text ("&&" as "&amp;&amp;"), React 19 does not.
function rawChild({ type, props }) {
  const text = scriptText(type, props)
  return text === null ? null : { children: undefined, dangerouslySetInnerHTML: { __html: rawText(type, text) } }
}
