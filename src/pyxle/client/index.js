// pyxle/client: the browser runtime of Pyxle pages.
export { Head } from './_head.js'
export { Slot, ClientOnly } from './_components.js'
export { Link, usePathname } from './_link.js'
export { navigate, prefetch, refresh, invalidate, configure } from './_router.js'
export { Form, useAction } from './_actions.js'
export { Script, Image } from './_media.js'
export { useWebSocket } from './_websocket.js'
export { useAuth } from './_auth.js'
