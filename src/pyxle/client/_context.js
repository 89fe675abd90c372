// Contexts shared by the server renderer, the browser bootstrap and the public components.
import { createContext } from 'react'

// Collects <Head> children during server rendering: { level, element } in render order.
export const HeadCollector = createContext(null)
// The nesting level of the component being rendered: layouts from 0, the page last.
export const HeadLevel = createContext(0)
// Named content layouts and the page provide (`export const slots = {...}`): name -> [entries],
// outermost layout first, the page last.
export const SlotContext = createContext({})
// The page being shown: its id (its path under pages/), the path it was rendered at, the CSRF token,
// and on a page rendered again after a no-JS form post failed, that action's `action` prop, the
// <Form> posted and whether the page shows the message itself.
export const PageContext = createContext({ pageId: null, routePath: '/', csrfToken: '', failedAction: null,
                                          failedForm: null, failedShown: null })
