// The one React tree a page renders to, on the server and in the browser alike, so hydration
// sees exactly what the server produced: layouts (outermost first) > templates > page.
// Across client-side navigations, layouts keep their state (same component, same place);
// templates are keyed by the route path, so they re-mount.
import { createElement as h } from 'react'
import { HeadLevel, PageContext, SlotContext } from './_context.js'

export function pageTree(route, props, routePath, csrfToken = '') {
  const { page, layouts } = route
  const slots = page.slots || {}
  // Error pages also get `error`, the prop name error pages written for earlier releases read;
  // a page re-rendered after a no-JS form post failed validation gets `action`.
  const pageProps = { data: props.data }
  if (props.error) pageProps.error = props.error
  if (props.action) pageProps.action = props.action
  let tree = h(HeadLevel.Provider, { value: layouts.length }, h(page.default, pageProps))
  for (let i = layouts.length - 1; i >= 0; i--) {
    const [file, mod, kind] = layouts[i]
    const data = (props.layoutData || {})[file] || {}
    const key = kind === 'template' ? routePath : undefined
    tree = h(HeadLevel.Provider, { value: i, key }, h(mod.default, { data, routePath }, tree))
  }
  const page_ = { pageId: route.id, routePath, csrfToken }
  return h(PageContext.Provider, { value: page_ }, h(SlotContext.Provider, { value: slots }, tree))
}
