// Stacks that name the project's own files. The SSR bundle carries an inline source map
// (bundler/build.mjs); each location in it (`file:///app/dist/server/ssr-<hash>.mjs:12625:20`) in a stack
// the worker sends is replaced by the one it came from (`/app/pages/index.pyxl:6:20`), as Next.js
// shows them. Not Node's --enable-source-maps: it names a component's frame after the call in
// React that ran it (`at Component`) where V8 says `at Inner`, and parses the whole map as every
// worker starts. Here the map's text is read once, before the bundle loads (a later build may
// replace the file), and parsed at the first stack a worker sends: a render that succeeds sends none.
import { readFileSync, realpathSync } from 'node:fs'
import { SourceMap } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const INLINE = '//# sourceMappingURL=data:application/json;base64,'
// A source of the build's own (`pyxle-entry:server`), not a file: its frames keep the bundle's line.
const VIRTUAL = /^[\w-]{2,}:/

// A map's source as the file's path: esbuild writes `sources` as URLs, `pages/%C3%BCber uns/100%25.pyxl`
// for `pages/über uns/100%.pyxl` (it encodes each `%`, so decoding gives the name back exactly).
function fromURL(source) {
  try {
    return decodeURIComponent(source)
  } catch {
    return source // not esbuild's (a module's own map): as it is
  }
}

// mapper(text): `text` with each location in `bundle` replaced by its source's, absolute path and
// 1-based line and column; locations the map has nothing for stay as they are.
export function stackMapper(bundle) {
  let file
  let encoded = null // the map's JSON as bytes: the bundle's text is not kept
  try {
    file = realpathSync(bundle) // how Node names a module it imported
    const code = readFileSync(file, 'utf8')
    const start = code.lastIndexOf(INLINE)
    if (start >= 0) encoded = Buffer.from(code.slice(start + INLINE.length).trim(), 'base64')
  } catch {
    return (text) => text
  }
  if (!encoded || !encoded.length) return (text) => text
  const url = pathToFileURL(file).href
  const at = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g')
  const folder = path.dirname(file)
  let map // parsed at the first stack: null when the map cannot be read
  // Each location's answer, kept: a page that throws on every request sends the same frames
  // again, and looking them up cost more than the error itself. Bounded: emptied when full.
  const seen = new Map()
  const original = (whole, line, column) => {
    let found = seen.get(whole)
    if (found !== undefined) return found
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(encoded.toString('utf8')))
      } catch {
        map = null
      }
      encoded = null
    }
    const entry = map ? map.findEntry(Number(line) - 1, Number(column) - 1) : {}
    const source = entry.originalSource
    found = !source || VIRTUAL.test(source) || entry.originalLine === undefined ? whole
      : `${path.resolve(folder, fromURL(source))}:${entry.originalLine + 1}:${entry.originalColumn + 1}`
    if (seen.size >= 10000) seen.clear()
    seen.set(whole, found)
    return found
  }
  return (text) => (typeof text === 'string' && text.includes(url) ? text.replace(at, original) : text)
}
