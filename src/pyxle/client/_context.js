// Contexts shared by the server renderer, the browser bootstrap and the public components.
import { createContext } from 'react'

// Collects <Head> children during server rendering: { level, element } in render order.
export const HeadCollector = createContext(null)
// The nesting level of the component being rendered: layouts from 0, the page last.
export const HeadLevel = createContext(0)
// Named content a page provides to its layouts (`export const slots = {...}`).
export const SlotContext = createContext({})
// The page being shown: its id (its path under pages/, which is also its actions' page path).
export const PageContext = createContext({ pageId: null, routePath: '/', csrfToken: '' })
