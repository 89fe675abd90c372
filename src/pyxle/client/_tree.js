// The one React tree a page renders to, on the server and in the browser alike, so hydration
// sees exactly what the server produced: layouts (outermost first) > templates > page.
import { createElement as h } from 'react'
import { HeadLevel, SlotContext } from './_context.js'

export function pageTree(route, props, routePath) {
  const { page, layouts } = route
  const slots = page.slots || {}
  let tree = h(HeadLevel.Provider, { value: layouts.length }, h(page.default, { data: props.data }))
  for (let i = layouts.length - 1; i >= 0; i--) {
    const [file, mod, kind] = layouts[i]
    const data = (props.layoutData || {})[file] || {}
    const key = kind === 'template' ? routePath : undefined // templates re-mount on navigation
    tree = h(HeadLevel.Provider, { value: i, key }, h(mod.default, { data, routePath }, tree))
  }
  return h(SlotContext.Provider, { value: slots }, tree)
}
