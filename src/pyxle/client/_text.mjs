// The text of what a page threw or printed, which can be any value: a null-prototype object, one
// whose toString or message getter throws, a Proxy that throws on every read, a revoked Proxy.
// Making that text never throws: thrown again in the catch block that answers a failed render, it
// left the render unanswered until its SSR worker was killed at the timeout. Used on the server
// only: by the SSR worker (ssr/worker.mjs, hence .mjs) and by the server renderer (_server.js).
import { format, inspect } from 'node:util'

// What `make` returns, if that is a string; undefined if it throws or returns anything else.
function attempt(make) {
  try {
    const made = make()
    return typeof made === 'string' ? made : undefined
  } catch {
    return undefined
  }
}

// `value[key]`, or undefined where reading it throws (a getter, a Proxy's trap, a revoked Proxy).
function read(value, key) {
  try {
    return value == null ? undefined : value[key]
  } catch {
    return undefined
  }
}

// `value` as console.log shows it (an Error: its stack), else as String() does, else its stack,
// else its type.
export function textOf(value) {
  if (typeof value === 'string') return value
  return attempt(() => inspect(value)) ?? attempt(() => String(value)) ?? stackOf(value) ?? `[${typeof value}]`
}

// Console arguments as console.log joins them (util.format), each made text on its own where that throws.
export function formatted(...args) {
  return attempt(() => format(...args)) ?? args.map(textOf).join(' ')
}

// A one-line summary of a thrown value: its `message` if it has one, else the value as String()
// gives it (`null`, `Symbol(x)`), else as textOf does (`[Object: null prototype] {}`).
export function messageOf(error) {
  const message = read(error, 'message')
  if (message) return textOf(message)
  return attempt(() => String(error)) ?? textOf(error)
}

// The stack of a thrown value, if it has one that is a string.
export function stackOf(error) {
  const stack = read(error, 'stack')
  return typeof stack === 'string' ? stack : undefined
}

// The name of a thrown value's class, as an Error holds it (`TypeError`); 'Error' if it has none.
export function nameOf(error) {
  const name = read(error, 'name')
  return typeof name === 'string' && name ? name : 'Error'
}
