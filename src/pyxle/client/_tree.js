// The one React tree a page renders to, on the server and in the browser alike, so hydration
// sees exactly what the server produced: layouts (outermost first) > templates > page, and a
// folder's loading.pyxl as the <Suspense> fallback around what the folder holds (inside its
// layouts), as in Next.js.
// Across client-side navigations, layouts keep their state (same component, same place);
// templates are keyed by the route path, so they re-mount.
// A page that throws in the browser (a render after an event, a <Suspense> child rejected only
// there) shows the nearest error.pyxl in its place, inside the layouts that error page has on the
// server (as error.js in Next.js), instead of React unmounting the whole page.
import { Component, createElement as h, Fragment, Suspense } from 'react'
import { slotRegistry } from './_components.js'
import { HeadLevel, PageContext, SlotContext } from './_context.js'
import { messageOf, nameOf } from './_text.mjs'

// Every layout's loader result in one object; on a key two layouts set, the outer one wins (as
// `layoutData` was in Pyxle 0.9).
function mergeLayoutData(layouts, byFile) {
  const merged = {}
  for (let i = layouts.length - 1; i >= 0; i--) Object.assign(merged, byFile[layouts[i][0]])
  return merged
}

// An error boundary: no DOM of its own, so hydration and server output are as without it (server
// rendering ignores it). `attempt` is new at each pageTree() call: a navigation or a refresh
// clears the error, while layouts inside the boundary keep their state.
class PageBoundary extends Component {
  constructor(props) {
    super(props)
    this.state = { error: null, attempt: props.attempt }
  }

  static getDerivedStateFromError(error) {
    return { error }
  }

  static getDerivedStateFromProps(props, state) {
    return props.attempt === state.attempt ? null : { error: null, attempt: props.attempt }
  }

  // React logs the error; errors.caught (the router's) tells window 'error' listeners.
  componentDidCatch(error) {
    if (this.props.errors) this.props.errors.caught(error)
  }

  // What the error page gets for `error`, decided once, when it is caught: a later render of the
  // boundary (its layouts' state changed) shows the same text.
  infoOf(error) {
    if (!this.described || this.described.error !== error) {
      const describe = this.props.errors ? this.props.errors.describe : errorInfo
      this.described = { error, info: describe(error) }
    }
    return this.described.info
  }

  render() {
    const { error } = this.state
    if (error === null) return this.props.children
    const { page, level, layoutData } = this.props
    if (!page) return h('div', { role: 'alert' }, 'Something went wrong rendering this page.')
    const info = this.infoOf(error)
    return h(HeadLevel.Provider, { value: level }, h(page.default, { data: info, error: info, layoutData }))
  }
}

// The props the server gives error pages, for what a page threw in the browser; `type` as Pyxle
// 0.9 had it. Whatever was thrown (Object.create(null) too), making its text must not throw here:
// the page would go blank.
export function errorInfo(error) {
  return { message: messageOf(error), statusCode: 500, data: {}, type: nameOf(error) }
}

// The first child of each loading.pyxl boundary's content: on the server a marker element that tells
// whether the boundary rendered its content (see client/_reached.js; the server takes it out of the
// markup it sends), in the browser nothing. The same child in both keeps hydration and useId alike.
// The same marker (FALLBACK) starts each loading.pyxl fallback: it tells which boundary a digest is on.
export const REACHED = 'data-pyxle-reached'
export const FALLBACK = 'data-pyxle-fallback'
function Marker({ name, mark }) {
  return mark ? h('template', { [name]: mark }) : null
}

// Whether `value` (a loader's JSON) holds the string `text` anywhere.
function holds(value, text) {
  if (!text) return false
  if (typeof value === 'string') return value === text
  if (value && typeof value === 'object') return Object.values(value).some((v) => holds(v, text))
  return false
}

// The `action` prop as the component gets it: reading its `error` marks the message as shown by
// the page. The component renders before the <Form>s inside it, which then leave the message to it.
function watched(action, shown) {
  const copy = { ...action }
  Object.defineProperty(copy, 'error', { enumerable: true, get() { shown.byPage = true; return action.error } })
  return copy
}

// Pages get `data` (their loader's) and `layoutData`; a layout's `data` is its own loader's
// result over `layoutData`, so a layout also reads what the layouts around it loaded. The page and
// every layout also get `slots`, every slot given (name -> entries), as in Pyxle 0.3 to 0.9.
// `errors`, in the browser: { caught(error), called with what a page threw, and describe(error),
// what its error page gets } (see PageBoundary); `reached`: the mark of a server render's
// loading.pyxl markers (see Marker).
export function pageTree(route, props, routePath, csrfToken = '', errors = null, reached = '') {
  const { page, layouts } = route
  const byFile = props.layoutData || {}
  const layoutData = mergeLayoutData(layouts, byFile)
  // Error pages also get `error`, the prop name error pages written for earlier releases read.
  // A page re-rendered after a no-JS form post failed validation gives `action` to the component
  // whose action it was: the page's, or the layout's or template's named by `actionLayout`.
  const pageProps = { data: props.data, layoutData }
  if (props.error) pageProps.error = props.error
  // The page shows a failed post's message itself when its loader returned it (the
  // pyxle-action-error query parameter) or its component reads `action.error`: then no <Form> does.
  const failed = props.action || null
  const shown = { byPage: !!failed && (holds(props.data, failed.error) || holds(byFile, failed.error)) }
  const action = failed && watched(failed, shown)
  if (action && !props.actionLayout) pageProps.action = action
  // Who gives each module's slots, as React tells the components apart: a layout by its file, a
  // template by its file and the route path (it re-mounts at each), the page by its route.
  const owners = layouts.map(([file, mod, kind]) => [kind === 'template' ? `${file} ${routePath}` : file, mod])
  const slots = slotRegistry([...owners, [route.id, page]], pageProps)
  const loading = route.loading || []
  const suspend = (tree, at) => {
    for (let j = loading.length - 1; j >= 0; j--) {
      if (loading[j][0] !== at) continue
      const fallback = h(Fragment, null, h(Marker, { name: FALLBACK, mark: reached }), h(loading[j][1].default, {}))
      tree = h(Suspense, { fallback }, h(Marker, { name: REACHED, mark: reached }), tree)
    }
    return tree
  }
  // route.error: [position in the layouts, error.pyxl's module]; none: the built-in message
  // inside every layout. The boundary goes around the folder's loading.pyxl, as in Next.js.
  const [errorAt, errorPage] = route.error || [layouts.length, null]
  const attempt = {}
  const wrap = (tree, at) => {
    tree = suspend(tree, at)
    if (at !== errorAt) return tree
    return h(PageBoundary, { attempt, page: errorPage, level: at, layoutData, errors }, tree)
  }
  let tree = wrap(h(HeadLevel.Provider, { value: layouts.length }, h(page.default, { ...pageProps, slots })), layouts.length)
  for (let i = layouts.length - 1; i >= 0; i--) {
    const [file, mod, kind] = layouts[i]
    const data = { ...layoutData, ...byFile[file] }
    const key = kind === 'template' ? routePath : undefined
    const own = { data, layoutData, routePath, slots }
    if (action && props.actionLayout === file) own.action = action
    tree = wrap(h(HeadLevel.Provider, { value: i, key }, h(mod.default, own, tree)), i)
  }
  // actionQuery: the page's query string, which a re-rendered page's forms post with (see actionUrl);
  // failedAction: the `action` prop, whose <Form> shows its message from the first render;
  // failedForm: the <Form> that was posted (its _pyxle_form); failedShown: whether the page shows it.
  const page_ = { pageId: route.id, routePath, csrfToken, query: props.actionQuery || '', failedAction: failed,
                  failedForm: props.actionForm || null, failedShown: shown }
  return h(PageContext.Provider, { value: page_ }, h(SlotContext.Provider, { value: slots }, tree))
}
