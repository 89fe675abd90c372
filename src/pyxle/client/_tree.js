// The one React tree a page renders to, on the server and in the browser alike, so hydration
// sees exactly what the server produced: layouts (outermost first) > templates > page, and a
// folder's loading.pyxl as the <Suspense> fallback around what the folder holds (inside its
// layouts), as in Next.js.
// Across client-side navigations, layouts keep their state (same component, same place);
// templates are keyed by the route path, so they re-mount.
import { createElement as h, Suspense } from 'react'
import { slotRegistry } from './_components.js'
import { HeadLevel, PageContext, SlotContext } from './_context.js'

// Every layout's loader result in one object; on a key two layouts set, the outer one wins (as
// `layoutData` was in Pyxle 0.9).
function mergeLayoutData(layouts, byFile) {
  const merged = {}
  for (let i = layouts.length - 1; i >= 0; i--) Object.assign(merged, byFile[layouts[i][0]])
  return merged
}

// Pages get `data` (their loader's) and `layoutData`; a layout's `data` is its own loader's
// result over `layoutData`, so a layout also reads what the layouts around it loaded.
export function pageTree(route, props, routePath, csrfToken = '') {
  const { page, layouts } = route
  const byFile = props.layoutData || {}
  const layoutData = mergeLayoutData(layouts, byFile)
  // Error pages also get `error`, the prop name error pages written for earlier releases read;
  // a page re-rendered after a no-JS form post failed validation gets `action`.
  const pageProps = { data: props.data, layoutData }
  if (props.error) pageProps.error = props.error
  if (props.action) pageProps.action = props.action
  const loading = route.loading || []
  const suspend = (tree, at) => {
    for (let j = loading.length - 1; j >= 0; j--) {
      if (loading[j][0] === at) tree = h(Suspense, { fallback: h(loading[j][1].default, {}) }, tree)
    }
    return tree
  }
  let tree = suspend(h(HeadLevel.Provider, { value: layouts.length }, h(page.default, pageProps)), layouts.length)
  for (let i = layouts.length - 1; i >= 0; i--) {
    const [file, mod, kind] = layouts[i]
    const data = { ...layoutData, ...byFile[file] }
    const key = kind === 'template' ? routePath : undefined
    tree = suspend(h(HeadLevel.Provider, { value: i, key }, h(mod.default, { data, layoutData, routePath }, tree)), i)
  }
  const slots = slotRegistry([...layouts.map((layout) => layout[1]), page])
  const page_ = { pageId: route.id, routePath, csrfToken }
  return h(PageContext.Provider, { value: page_ }, h(SlotContext.Provider, { value: slots }, tree))
}
