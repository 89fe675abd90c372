// `pyxle check`: the JSX syntax of compiled pages, parsed by the same esbuild that bundles them, so
// check rejects what `pyxle build` would (a closing tag that does not match, a stray brace), with
// nothing bundled or written. One Node process for every page, and a few transforms in flight at
// a time: 350 at once queue in esbuild's service and took twice as long as one after another.
// The project's own modules the pages import (components/Card.jsx, and what they import) are
// parsed too, each as the build loads it: a syntax error there fails the build as well.
//   node check.mjs ROOT    stdin: [{file, code, loader}] (the pages, the global scripts and stylesheets), stdout: one JSON line
//     {ok: true, errors: [{file, line, column, text}], envReads: [{file, line, column, name}]}   line 1-based, column 1-based in characters
//       (and `hint` for an error not of syntax: an import whose path differs from its file's only in case,
//       an import of a name a project module does not export, a CSS syntax error in a project stylesheet)
//     {ok: false, reason}                                 esbuild could not be loaded
// The compiled client module keeps the .pyxl's line numbers (Python lines are blank), so a
// location in it is one in the .pyxl; Python maps it all the same (pyxle/cli/_check.py). An
// imported module's `file` is its own path, its location its own.
import { readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SERVER_HINT, serverDirectives } from './directives.mjs'
import { moduleTail, wrongCase } from './names.mjs'
import { hiddenEnvReads } from './envreads.mjs'
import { cssSyntaxErrors } from './styles.mjs'

// pyxle/client, as build.mjs resolves it: its modules are read, so a name it does not export is an error.
const CLIENT_RUNTIME = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'client')

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

// esbuild's loader for a module by its extension, as the build's bundle reads it (a .js file is
// JavaScript: JSX in one fails the build).
const LOADERS = { '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx' }

// An import that resolves into node_modules is left external: its names are not checked. Loaded as
// an empty file, an ES module package ("type": "module", .mjs) exported nothing, so a correct
// `import MagicString from 'magic-string'` failed check while the build bundled it; reading the
// packages themselves would parse all of React for every check. A bare import the project's path
// aliases resolve to its own files is read as any module of the project.
const PACKAGE = Symbol('pyxle-check-package')

async function packageImport(build, args) {
  const found = await build.resolve(args.path, {
    kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: PACKAGE,
  })
  if (found.errors.length || !found.path.split(path.sep).includes('node_modules')) return undefined
  return { path: args.path, external: true }
}

// The project's own modules the pages import, at any depth: a build that writes nothing, with the
// pages (and the global scripts and stylesheets) as entries, finds them (the project's path aliases included). Packages are
// external (packageImport); stylesheets and
// assets load as nothing; an import it cannot resolve is the build's to report, not a syntax error,
// but for one whose path differs from its file's only in case, which the build fails on too (`errors`).
// Such an import is left external in a second build: one error while resolving and esbuild never
// links the modules, so an import of a name a module does not export would go unreported.
// pyxle/client is read as the build reads it, so a name it lacks (`{ Lnk }`) is reported too.
async function imported(esbuild, root, pages) {
  const found = new Set()
  const code = new Map(pages.map((page) => [page.file, page]))
  const runtime = realpathSync(CLIENT_RUNTIME)
  const unresolved = new Set() // `${resolveDir}\0${specifier}` of the imports esbuild could not resolve
  let reads = [] // process.env names page code never sees (envreads.mjs): warned of, not errors
  // A module outside the project that is no npm package (a monorepo's shared folder, reached by a
  // relative path, an alias or a workspace link into node_modules) is the project's own too: the
  // build bundles it, so loaded empty its `export default` went missing ("type": "module").
  const ownModule = (file) => LOADERS[path.extname(file)] !== undefined &&
    !path.relative(root, file).split(path.sep).includes('node_modules') &&
    !code.has(file) // a global script a page imports too: an entry, checked as one
  // A plain stylesheet of the project's: esbuild parses it, and warns of its syntax errors (Sass is the build's).
  const ownStylesheet = (file) => file.startsWith(root + path.sep) && file.endsWith('.css') &&
    !path.relative(root, file).split(path.sep).includes('node_modules') &&
    !code.has(file) // a global stylesheet a page imports too: an entry, warned of once
  const plugin = {
    name: 'pyxle-check-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? { path: args.path, namespace: 'pyxle-page' } : undefined))
      build.onResolve({ filter: /^pyxle\/client(\/.*)?$/ }, (args) => ({
        path: path.join(runtime, args.path.slice('pyxle/client'.length) || 'index.js'),
      }))
      build.onResolve({ filter: /.*/ }, (args) => (unresolved.has(`${args.resolveDir}\0${args.path}`)
        ? { path: args.path, external: true } : undefined))
      build.onResolve({ filter: /^[^./]/ }, (args) => (args.pluginData === PACKAGE ? undefined : packageImport(build, args)))
      build.onLoad({ filter: /.*/, namespace: 'pyxle-page' }, (args) => {
        const page = code.get(args.path)
        reads.push(...hiddenEnvReads(args.path, page.code))
        return { contents: page.code, loader: page.loader, resolveDir: path.dirname(args.path) }
      })
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => wrongCase(args.path, root))
      build.onLoad({ filter: /.*/ }, (args) => {
        if (ownStylesheet(args.path) || args.path.startsWith(runtime + path.sep)) return undefined
        if (!ownModule(args.path)) return { contents: '', loader: 'empty' }
        found.add(args.path)
        const source = readFileSync(args.path, 'utf8')
        reads.push(...hiddenEnvReads(args.path, source))
        const tail = moduleTail(source)
        return tail ? { contents: source + tail, loader: LOADERS[path.extname(args.path)] } : undefined
      })
    },
  }
  // Split: the code shared by the pages (pyxle/client) is written once, not into each page's bundle.
  const bundle = () => esbuild.build({
    entryPoints: pages.map((page) => page.file), bundle: true, write: false, absWorkingDir: root, outdir: root,
    jsx: 'automatic', logLevel: 'silent', plugins: [plugin], splitting: true, format: 'esm',
  }).catch((error) => error)
  let outcome = await bundle()
  // Once again, with the imports it could not resolve left external, when there were any.
  const missing = (outcome.errors || []).filter((m) => m.location && /^Could not resolve "/.test(m.text))
  if (missing.length) {
    for (const m of missing) {
      const importer = path.resolve(root, m.location.file.replace(/^pyxle-page:/, ''))
      unresolved.add(`${path.dirname(importer)}\0${JSON.parse(m.text.slice('Could not resolve '.length))}`)
    }
    reads = [] // read again by the second build
    outcome = await bundle()
  }
  // Its errors are found again below, module by module, or are not of syntax, but for an import
  // whose path differs from its file's only in case (wrongCase) and one of a name the module does
  // not export: reported at the import.
  const wrong = (outcome.errors || []).filter((m) => m.location &&
    (m.pluginName === 'pyxle-check-imports' || /^No matching export in /.test(m.text)))
  const css = cssSyntaxErrors(outcome.warnings || [], root)
  return {
    modules: [...found].sort(),
    reads,
    errors: [...wrong, ...css].map((m) => ({
      file: path.resolve(root, m.location.file.replace(/^pyxle-page:/, '')),
      line: m.location.line,
      column: m.detail && m.detail.column !== undefined ? m.detail.column : characterColumn(m.location),
      text: m.text,
      hint: (m.detail && m.detail.hint) || null,
    })),
  }
}

// The syntax errors of an imported module, parsed alone as its page's code is.
async function checkModule(esbuild, file) {
  return check(esbuild, { file, code: readFileSync(file, 'utf8'), loader: LOADERS[path.extname(file)] })
}

// The 'use server' directives of a page or module, refused as the build refuses them (directives.mjs).
async function directives(esbuild, { file, code, loader }) {
  return (await serverDirectives(esbuild, code, loader)).map(({ line, column, text }) => ({ file, line, column, text, hint: SERVER_HINT }))
}

async function checkEverything(esbuild, root, pages) {
  const found = await checkAll(esbuild, pages)
  const { modules, errors, reads } = await imported(esbuild, root, pages)
  for (const file of modules) found.push(...await checkModule(esbuild, file))
  const scripts = pages.filter((page) => ['js', 'jsx', 'ts', 'tsx'].includes(page.loader))
  for (const page of scripts) found.push(...await directives(esbuild, page))
  for (const file of modules) found.push(...await directives(esbuild, { file, code: readFileSync(file, 'utf8'), loader: LOADERS[path.extname(file)] }))
  return { errors: [...found, ...errors], envReads: reads }
}

let esbuild = null
let reason = null
try {
  esbuild = createRequire(path.join(process.argv[2], 'package.json'))('esbuild')
} catch (error) {
  reason = `esbuild could not be loaded (${error.message.split('\n')[0]})`
}
const root = realpathSync(path.resolve(process.argv[2])) // esbuild names a module by its real path
const outcome = esbuild ? { ok: true, ...await checkEverything(esbuild, root, JSON.parse(readFileSync(0, 'utf8'))) } : { ok: false, reason }
process.stdout.write(JSON.stringify(outcome) + '\n')
