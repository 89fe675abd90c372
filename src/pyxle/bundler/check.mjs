// `pyxle check`: the JSX syntax of compiled pages, parsed by the same esbuild that bundles them, so
// check rejects what `pyxle build` would (a closing tag that does not match, a stray brace), with
// nothing bundled or written. One Node process for every page, and a few transforms in flight at
// a time: 350 at once queue in esbuild's service and took twice as long as one after another.
//   node check.mjs ROOT    stdin: [{file, code, loader}], stdout: one JSON line
//     {ok: true, errors: [{file, line, column, text}]}   line 1-based, column 1-based in characters
//     {ok: false, reason}                                 esbuild could not be loaded
// The compiled client module keeps the .pyxl's line numbers (Python lines are blank), so a
// location in it is one in the .pyxl; Python maps it all the same (pyxle/cli/_check.py).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

// esbuild counts a column in UTF-8 bytes; the error shows characters (the caret goes under them).
const characterColumn = ({ lineText, column }) =>
  (lineText ? [...Buffer.from(lineText).subarray(0, column).toString('utf8')].length : column) + 1

async function check(esbuild, { file, code, loader }) {
  try {
    await esbuild.transform(code, { loader, jsx: 'automatic', sourcefile: file, logLevel: 'silent' })
    return []
  } catch (error) {
    if (!error.errors) throw error
    return error.errors.map((m) => ({
      file,
      line: m.location ? m.location.line : null,
      column: m.location ? characterColumn(m.location) : null,
      text: m.text,
    }))
  }
}

// The pages' findings in their order, `width` transforms in flight at a time.
async function checkAll(esbuild, files, width = 4) {
  const found = []
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < files.length) {
      const i = next++
      found[i] = await check(esbuild, files[i])
    }
  }))
  return found.flat()
}

let esbuild = null
let reason = null
try {
  esbuild = createRequire(path.join(process.argv[2], 'package.json'))('esbuild')
} catch (error) {
  reason = `esbuild could not be loaded (${error.message.split('\n')[0]})`
}
const outcome = esbuild ? { ok: true, errors: await checkAll(esbuild, JSON.parse(readFileSync(0, 'utf8'))) } : { ok: false, reason }
process.stdout.write(JSON.stringify(outcome) + '\n')
