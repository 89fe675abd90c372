// _text.mjs on the server (the SSR worker, the server renderer): a value shown as console.log
// shows it, with Node's util.inspect (`[Object: null prototype] {}`), which the browser has not.
import { format, inspect } from 'node:util'
import * as text from './_text.mjs'

export { nameOf, stackOf } from './_text.mjs'

export function textOf(value) {
  return text.textOf(value, inspect)
}

export function messageOf(error) {
  return text.messageOf(error, inspect)
}

// Console arguments as console.log joins them (util.format), each made text on its own where that throws.
export function formatted(...args) {
  return text.attempt(() => format(...args)) ?? args.map(textOf).join(' ')
}
