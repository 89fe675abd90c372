// React's 'use server' marks a function (or a whole module) as code the server runs and the
// browser calls over the network. Pyxle has no such bundling step: esbuild keeps the directive as
// a harmless string, so the function ran in the browser and anything secret in it shipped to every
// visitor. build.mjs and check.mjs refuse it, at the directive's line, pointing to @action.
// 'use client' needs nothing: every page's JSX is client code already.
import { SourceMap } from 'node:module'

const TEXT = {
  module: "'use server' is not supported: Pyxle bundles this module into the browser's code, where it runs and anyone can read it",
  function: "'use server' is not supported: Pyxle bundles this function into the browser's code, where it runs and anyone can read it",
}
export const SERVER_HINT = "server code is an @action in the page's Python: call it with useAction('name') or <Form action=\"name\"> from pyxle/client"

// esbuild prints a directive alone on its line, in double quotes, and drops comments and JSX text:
// a directive in its output is one, where a line of the source could be a comment or a string.
const PRINTED = /^(\s*)"use server";$/
const WRITTEN = /^(\s*)(['"])use server\2/

// The 'use server' directives of one module ({line, column, lineText, text}: 1-based, column in
// characters), [] for code esbuild cannot parse (a syntax error, reported as such elsewhere).
export async function serverDirectives(esbuild, code, loader) {
  if (!code.includes('use server')) return []
  let out
  try {
    out = await esbuild.transform(code, { loader, jsx: 'automatic', sourcemap: 'external', logLevel: 'silent' })
  } catch (error) {
    return []
  }
  const lines = code.split(/\r?\n/)
  const map = new SourceMap(JSON.parse(out.map))
  const found = []
  out.code.split('\n').forEach((printed, i) => {
    const match = PRINTED.exec(printed)
    if (!match) return
    const entry = map.findEntry(i, match[1].length)
    const level = match[1].length === 0 ? 'module' : 'function'
    // A module's own directive has no mapping: it is the first one written at the start of a line.
    const line = entry.generatedLine === i && entry.originalLine !== undefined
      ? entry.originalLine : lines.findIndex((text) => WRITTEN.test(text))
    const lineText = lines[line] ?? ''
    const units = entry.originalLine === line ? entry.originalColumn : line >= 0 ? WRITTEN.exec(lineText)[1].length : 0
    found.push({ line: line + 1, column: [...lineText.slice(0, units)].length + 1, lineText, text: TEXT[level] })
  })
  return found
}

// The same as esbuild messages, for an onLoad result (build.mjs): `detail` carries the line and
// the column in characters, as a StyleError's does, so nothing maps them again.
export async function directiveErrors(esbuild, file, code, loader) {
  return (await serverDirectives(esbuild, code, loader)).map(({ line, column, lineText, text }) => ({
    text,
    location: { file, line, column: Buffer.byteLength([...lineText].slice(0, column - 1).join('')), lineText },
    detail: { hint: SERVER_HINT, line, column },
  }))
}
