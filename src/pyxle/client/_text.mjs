// The text of what a page threw or printed, which can be any value: a null-prototype object, one
// whose toString or message getter throws, a Proxy that throws on every read, a revoked Proxy.
// Making that text never throws: thrown again in the catch block that answers a failed render, it
// left the render unanswered until its SSR worker was killed at the timeout; in the browser, it
// left a page blank instead of showing its error page. No imports, so the browser's runtime uses
// it as the server does (hence .mjs: the SSR worker imports it unbundled); on the server,
// _nodetext.mjs gives it Node's util.inspect, which the browser has not.

// What `make` returns, if that is a string; undefined if it throws or returns anything else.
export function attempt(make) {
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

// `value` as `inspect` (Node's util.inspect, as console.log shows it: an Error's stack) makes it,
// else as String() does, else its stack, else as Object.prototype.toString does (`[object Object]`
// for a null-prototype object), else its type.
export function textOf(value, inspect) {
  if (typeof value === 'string') return value
  return (inspect && attempt(() => inspect(value))) ?? attempt(() => String(value)) ?? stackOf(value) ??
    attempt(() => Object.prototype.toString.call(value)) ?? `[${typeof value}]`
}

// A one-line summary of a thrown value: its `message` if it has one, else the value as String()
// gives it (`null`, `Symbol(x)`), else as textOf does (`[Object: null prototype] {}` with Node's
// inspect, `[object Object]` in the browser).
export function messageOf(error, inspect) {
  const message = read(error, 'message')
  if (message) return textOf(message, inspect)
  return attempt(() => String(error)) ?? textOf(error, inspect)
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
