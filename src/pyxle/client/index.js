// pyxle/client: the browser runtime of Pyxle pages.
export { Head } from './_head.js'
export { Slot, ClientOnly } from './_components.js'
