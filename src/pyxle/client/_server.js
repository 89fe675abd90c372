// Server rendering of one page: the HTML of the tree and the merged <Head> markup.
import { createElement as h } from 'react'
import { renderToString, renderToStaticMarkup } from 'react-dom/server'
import { HeadCollector } from './_context.js'
import { mergeHead } from './_head.js'
import { pageTree } from './_tree.js'

// React 19 preloads the images it renders eagerly, with links at the start of the markup.
const IMAGE_HINTS = /^(?:<link rel="preload" as="image"[^>]*>)+/

// `head` holds the merged <Head> markup of each nesting level: layouts outermost first, the page
// last, so the server can interleave each level's HEAD variable at the right precedence.
export function renderPage(route, request) {
  const collected = []
  const tree = pageTree(route, request.props, request.routePath, request.csrfToken || '')
  let html = renderToString(h(HeadCollector.Provider, { value: collected }, tree))
  const head = []
  for (let level = 0; level <= route.layouts.length; level++) {
    const entries = collected.filter((entry) => entry.level === level)
    head.push(entries.length ? renderToStaticMarkup(mergeHead(entries)) : '')
  }
  // Those hints belong in the head, where the server merges them with <Image priority>'s own.
  const hints = IMAGE_HINTS.exec(html)
  if (hints) {
    html = html.slice(hints[0].length)
    head[head.length - 1] += hints[0]
  }
  return { html, head }
}
