// esbuild's resolver ignores case, Linux's file system does not: an import of
// '../components/counter.jsx' resolves to Counter.jsx's path as written, which cannot be read.
// build.mjs and check.mjs load every file through wrongCase() first, so such an import is an
// error at its own line (esbuild places an onLoad error at the import), naming the file's real name.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'

// The onLoad result for a file that is not there as named, or undefined (it is: esbuild goes on).
export function wrongCase(file, root) {
  if (existsSync(file)) return undefined
  const lower = path.basename(file).toLowerCase()
  let real
  try {
    real = readdirSync(path.dirname(file)).find((name) => name.toLowerCase() === lower)
  } catch (error) {
    real = undefined // its folder is gone too (deleted mid-build)
  }
  const hint = real ? `the file is named ${real}: match its case (file systems on Linux are case-sensitive)` : null
  return { errors: [{ text: `No such file: ${path.relative(root, file).split(path.sep).join('/')}`, detail: { hint } }] }
}

// What makes one of the project's modules an ES module when nothing else does: one with no import,
// export, require, module, exports or this (a component saved empty) would read as CommonJS, and an
// import of its default would be undefined at render ("Element type is invalid"); as an ES module
// that exports nothing, esbuild reports "No matching export" at the import. '' for any other module.
export const moduleTail = (code) => (/\b(import|export|require|module|exports|this)\b/.test(code) ? '' : '\nexport {}\n')
