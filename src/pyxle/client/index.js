// pyxle/client: the browser runtime of Pyxle pages.
import { Link } from './_link.js'

export { Head } from './_head.js'
export { Slot, SlotProvider, useSlot, useSlots, ClientOnly } from './_components.js'
export { Link, usePathname } from './_link.js'
export { navigate, prefetch, refresh, invalidate, configure, getRouter } from './_router.js'
export { Form, useAction } from './_actions.js'
export { Script } from './_script.js'
export { useNonce } from './_nonce.js'
export { Image } from './_image.js'
export { useWebSocket } from './_websocket.js'
export { useAuth } from './_auth.js'
export default Link
