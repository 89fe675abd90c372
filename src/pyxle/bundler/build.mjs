// Bundles a project's pages with esbuild: one SSR bundle for the Node workers, one browser entry
// per page (code-split, hashed) and a manifest. Run by pyxle.bundler with a JSON plan:
//   node build.mjs plan.json    one build, answered with one JSON line on stdout
//   node build.mjs --serve [ROOT]  pyxle dev: one build per plan path read from stdin, a JSON
//                               line each; esbuild's contexts and Babel stay warm between rebuilds
// .pyxl imports are served from the compiled client modules Pyxle wrote, with the page's own
// folder as resolve dir, so relative imports and error locations stay the user's own.
// With plan.refresh (pyxle dev, react-refresh and @babel/core installed) the browser build also
// gets React Fast Refresh: see withRefresh() below and client/_refresh.js.
// Stylesheets (Sass, the project's PostCSS config, CSS modules) go through styles.mjs.
import { existsSync, readFileSync, realpathSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib'
import { createHash } from 'node:crypto'
import { SourceMap, builtinModules, createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { MODULE, SASS, StyleError, cssSyntaxErrors, nodeModules, projectStyles } from './styles.mjs'
import { directiveErrors } from './directives.mjs'
import { moduleTail, wrongCase } from './names.mjs'
import { hiddenEnvReads } from './envreads.mjs'

// The build in progress (builds run one at a time): the helpers and plugins below read it.
let plan
let production
let refresh = null
let require
const styles = projectStyles()
let builds = 0 // builds run by this process
const STAMP = `${process.pid.toString(36)}${Date.now().toString(36)}` // this process, among the dev server's bundlers

const safeName = (id) => 'page_' + id.replace(/[^A-Za-z0-9_-]+/g, '_')
const importPath = (p) => JSON.stringify(p)

// The route's modules, imported layouts first (outermost in), then loading and error files, and the
// page last: esbuild orders a page's CSS as its imports, and at equal specificity a later rule wins,
// so the page's stylesheets override its layouts' and a nested layout's the root's.
function routeLiteral(page, prefix) {
  const imports = []
  const layouts = page.layouts.map(([file, abs, kind], i) => {
    imports.push(`import * as ${prefix}l${i} from ${importPath(abs)}`)
    return `[${JSON.stringify(file)}, ${prefix}l${i}, ${JSON.stringify(kind)}]`
  })
  // loading.pyxl files: [position in the layouts, module], each the Suspense fallback of its folder
  const loading = (page.loading || []).map(([at, abs], i) => {
    imports.push(`import * as ${prefix}s${i} from ${importPath(abs)}`)
    return `[${at}, ${prefix}s${i}]`
  })
  // The error.pyxl shown when the page throws in the browser: [position in the layouts, module]
  let error = 'null'
  if (page.error) {
    imports.push(`import * as ${prefix}e from ${importPath(page.error[1])}`)
    error = `[${page.error[0]}, ${prefix}e]`
  }
  imports.push(`import * as ${prefix}p from ${importPath(page.page)}`)
  return { imports, literal: `{ page: ${prefix}p, layouts: [${layouts.join(', ')}], loading: [${loading.join(', ')}], error: ${error} }` }
}

function entrySource(name, hot = false) {
  if (name === 'server') {
    const imports = [`import { renderPage } from 'pyxle/client/_server.js'`]
    const routes = plan.pages.map((page, i) => {
      const r = routeLiteral(page, `r${i}`)
      imports.push(...r.imports)
      return `${JSON.stringify(page.id)}: { id: ${JSON.stringify(page.id)}, ...${r.literal} }`
    })
    return `${imports.join('\n')}
const routes = { ${routes.join(',\n  ')} }
export function render(request, emit, options) {
  const route = routes[request.page]
  if (!route) throw new Error('no such page in the SSR bundle: ' + request.page)
  return renderPage(route, request, emit, options)
}
`
  }
  const page = plan.pages.find((p) => p.id === name)
  const r = routeLiteral(page, 'r')
  // styling.globalScripts, then styling.globalStyles, load before everything else on the page.
  const globals = [...plan.globalScripts, ...plan.globalStyles].map((file) => `import ${importPath(file)}`)
  // The entry exports its route, so client-side navigation can import it on demand; only the
  // first page loaded hydrates, and starts the router. Nothing of the app as a whole goes in
  // here (the document carries that): a page's module, and its hash, change with its own code.
  // A dev build's route names its file, for the dev overlay's hydration mismatch (_browser.js).
  const file = production ? '' : `file: ${JSON.stringify(path.relative(plan.projectRoot, page.page).split(path.sep).join('/'))}, `
  return `${globals.join('\n')}${hot ? `\nimport ${JSON.stringify(PIN)}` : ''}
import { boot } from 'pyxle/client/_browser.js'
${r.imports.join('\n')}
export const route = { id: ${JSON.stringify(page.id)}, ${file}...${r.literal} }
boot(route)
`
}

// pyxle dev with Fast Refresh: an entry the browser never loads, importing React and the Pyxle
// runtime so that they land in chunks shared by every page. Those chunks keep their URL across
// edits, so re-importing an edited page runs the page's code again but never a second React.
// PIN, imported by this entry, by every page and by the project's ES modules, lands in the
// same chunk as React: it tells _refresh.js that chunk's URL, and an update whose page would load
// another one (a chunk's exports changed, say) reloads the page instead of running a second React.
// So that the project's first use of something does not change that chunk (and reload):
// - PIN uses all of React and the runtime (RUNTIME), and so does every module importing it: a
//   module loaded by import() (React.lazy) is an entry of its own, and esbuild would otherwise
//   move what it does not use into another chunk;
// - this entry uses every export of react-dom and pyxle/client, so that chunk exports them all;
// - esbuild puts its runtime helpers there too (__commonJS for the first CommonJS module,
//   __publicField for a class field lowered to es2020, ...): this entry uses each (HELPERS), so
//   they are exported from the first build on.
// An import() of an npm package, a page's first import of a module inside React DOM (scheduler)
// or a CommonJS module's first require() of an ES module still change it: the page reloads.
const PIN = 'pyxle-pin:'
const RUNTIME = `import * as react from 'react'
import * as jsx from 'react/jsx-runtime'
import * as dom from 'react-dom/client'
import * as domBase from 'react-dom'
import * as client from 'pyxle/client'
import * as browser from 'pyxle/client/_browser.js'
`
const SHARED_ENTRY = `import ${JSON.stringify(PIN)}
${RUNTIME}import * as helpers from 'pyxle-helpers:main'
export { react, jsx, dom, domBase, client, browser, helpers }
export * from 'pyxle/client'
`

const PIN_SOURCE = `${RUNTIME}
if (window.__pyxleRefresh) window.__pyxleRefresh.pin(import.meta.url, [react, jsx, dom, domBase, client, browser])
`

// Code for which esbuild emits each runtime helper a project may come to need at es2020: CommonJS
// interop, class fields and private members, decorators, `using`, import() of a pattern. Only the
// shared entry imports it, so it never runs.
const HELPERS = {
  main: `import * as cjs from 'pyxle-helpers:cjs'
import wrapped from 'pyxle-helpers:wrap'
export * from 'pyxle-helpers:cjs'
export { cjs, wrapped }
const d = (value) => value
@d export class Fields {
  a = 1
  static b = 2
  #c = 3
  static #d = 4
  #e() { return this.#c }
  accessor f = 5
  static { Fields.b = 6 }
  g(other) { return [#c in other, this.#c++, this.#c = this.#e(), Fields.#d] }
}
export class Members { @d m() {} }
export const load = (name) => import(\`./\${name}.none\`)
export class Sub extends Fields { static h = super.g }
export function dispose(resource) {
  using held = resource
}
`,
  cjs: 'module.exports = {}\n',
  wrap: "module.exports = require('pyxle-helpers:esm')\n",
  esm: 'export const esm = 1\n',
}

async function refreshTools() {
  const babelPath = require.resolve('@babel/core')
  const babel = await import(pathToFileURL(babelPath).href)
  return { babel: babel.transformAsync ? babel : babel.default, plugin: require('react-refresh/babel'), done: new Map() }
}

// Does the module export only components (what Fast Refresh can swap)? A page or layout may also
// export `slots` or `createSlots`, which the router re-reads after an update.
function onlyComponents(program, isPage) {
  let exported = false
  const component = (name) => /^[A-Z]/.test(name) || (isPage && (name === 'slots' || name === 'createSlots'))
  for (const node of program.body) {
    if (node.type === 'ExportAllDeclaration') return false
    if (node.type === 'ExportDefaultDeclaration') {
      const d = node.declaration
      const ok = /^(FunctionDeclaration|ClassDeclaration|ArrowFunctionExpression|FunctionExpression|CallExpression)$/.test(d.type) ||
        (d.type === 'Identifier' && component(d.name))
      if (!ok) return false
      exported = true
    } else if (node.type === 'ExportNamedDeclaration' && node.exportKind !== 'type') {
      const d = node.declaration
      const names = node.specifiers.map((s) => s.exported.name ?? s.exported.value)
      if (d && d.type === 'VariableDeclaration') {
        for (const v of d.declarations) {
          if (v.id.type !== 'Identifier') return false
          names.push(v.id.name)
        }
      } else if (d && d.id && !/^TS(Interface|TypeAlias|Declare)/.test(d.type)) {
        names.push(d.id.name) // a function, a class, an enum
      }
      if (!names.every(component)) return false
      exported = exported || names.length > 0
    }
  }
  return exported
}

// Adds Fast Refresh registration to one of the project's modules. Babel keeps the lines where
// they were, and what Pyxle adds goes on a line of its own after them (function declarations,
// hoisted: the module's first line may already call $RefreshSig$). Babel still reprints each
// line, adding `var _s = $RefreshSig$();` to the first one, so its source map goes with the code:
// esbuild chains it into the browser's source maps, and located() maps esbuild's errors back
// through it. Locations in errors and stack traces are the user's own.
// Code Babel cannot parse is returned as is: esbuild then reports the error as usual.
// A module edited since this process first read it also gets a stamp unique to this build: its
// chunk then gets a URL the page has never imported, even when its code is back to an earlier
// version (an undo, a git checkout and back). The browser runs a module URL once, so an old URL
// would bring back the cached old module without running it, and Fast Refresh would see nothing.
// An ES module also imports PIN (see above), but for styling.globalScripts: they run before React.
async function withRefresh(code, file, loader) {
  const done = refresh.done.get(file) // a rebuild in --serve transforms only what changed
  const pinned = !plan.globalScripts.includes(file)
  if (done && done.code === code && done.pinned === pinned) return done.contents
  const stamp = done ? `${STAMP}.${builds}` : ''
  const { contents, map, pins } = await refreshModule(code, file, loader, stamp, pinned)
  refresh.done.set(file, { code, pinned, contents, map, pins })
  return contents
}

async function refreshModule(code, file, loader, stamp, pinned) {
  const id = path.relative(plan.projectRoot, file).split(path.sep).join('/')
  let result
  let components = false
  let esm = false // CommonJS (or no module syntax at all) stays so: no PIN import
  const inspect = () => ({ visitor: { Program(p) {
    components = onlyComponents(p.node, file.endsWith('.pyxl'))
    esm = p.node.body.some((node) => /^(Import|Export)/.test(node.type))
  } } })
  try {
    result = await refresh.babel.transformAsync(code, {
      filename: file,
      babelrc: false,
      configFile: false,
      retainLines: true,
      sourceMaps: true,
      // esbuild reads it as a URL relative to the module's folder: `café %41.pyxl` unencoded came out as `café A.pyxl`
      sourceFileName: encodeURIComponent(path.basename(file)),
      inputSourceMap: false,
      parserOpts: { plugins: loader === 'ts' ? ['typescript'] : loader === 'tsx' ? ['typescript', 'jsx'] : ['jsx'] },
      plugins: [inspect, [refresh.plugin, { skipEnvCheck: true }]],
    })
  } catch (error) {
    return { contents: code, map: null }
  }
  const hash = createHash('sha1').update(code).digest('hex').slice(0, 12) + (stamp ? `.${stamp}` : '')
  const epilogue = `${pinned && esm ? `import ${JSON.stringify(PIN)}; ` : ''}function $RefreshReg$(type, name) { window.__pyxleRefresh.register(type, ${JSON.stringify(id + ' ')} + name) } ` +
    `function $RefreshSig$() { return window.__pyxleRefresh.signature() } ` +
    `window.__pyxleRefresh.track(${JSON.stringify(id)}, "${hash}", ${components});`
  const map = { ...result.map, sourcesContent: [code] }
  const inline = Buffer.from(JSON.stringify(map)).toString('base64')
  return {
    contents: `${result.code}\n${epilogue}\n//# sourceMappingURL=data:application/json;base64,${inline}\n`,
    map,
    pins: pinned && esm,
  }
}

// esbuild counts a location's column in bytes, source maps in UTF-16 units; the error shows
// characters (the caret goes under them).
const utf16 = (lineText, bytes) => Buffer.from(lineText).subarray(0, bytes).toString('utf8').length
const characters = (lineText, units) => [...lineText.slice(0, units)].length
const characterColumn = ({ lineText, column }) => (lineText ? characters(lineText, utf16(lineText, column)) : column) + 1

// An esbuild location in a module Babel transformed, as the user's own: line, 1-based column and
// source line. Null when the location is not in the user's code.
function located(location) {
  const done = refresh && refresh.done.get(path.resolve(plan.projectRoot, location.file))
  if (!done || !done.map) return null
  done.sourceMap ??= new SourceMap(done.map)
  const column = utf16(location.lineText, location.column)
  // Node's look-up goes back to earlier lines; a location maps only from its own line, and not
  // from a stretch that maps to nothing.
  const entry = done.sourceMap.findEntry(location.line - 1, column)
  if (entry.generatedLine !== location.line - 1 || entry.originalLine === undefined) return null
  const lineText = done.code.split(/\r?\n/)[entry.originalLine]
  if (lineText === undefined) return null
  return { line: entry.originalLine + 1, column: characters(lineText, entry.originalColumn + column - entry.generatedColumn) + 1, lineText }
}

// A monorepo's shared module outside the project (imported by a relative path, or through a folder
// or workspace package linked in: esbuild reads its real path), as pyxle dev watches it: no npm
// package's (in a node_modules), nor the Pyxle runtime's.
// A project reached through a link is read by its real path: its modules are its own.
const realRoots = new Map() // project root -> its real path: asked once, not per module loaded
const realRoot = (root) => realRoots.get(root) ?? realRoots.set(root, realpathSync(root)).get(root)
const sharedModule = (file) => ![plan.projectRoot, realRoot(plan.projectRoot)].some((root) => file.startsWith(root + path.sep)) &&
  !file.split(path.sep).includes('node_modules') && !file.startsWith(plan.clientRuntime + path.sep)

const SOURCE_LOADERS = { '.js': 'js', '.mjs': 'js', '.jsx': 'jsx', '.ts': 'ts', '.mts': 'ts', '.tsx': 'tsx' }

// A stylesheet's CSS after Sass and PostCSS (or a CSS module scoped), or the StyleError as esbuild messages.
async function styleContents(read, wrap) {
  try {
    return wrap(await read())
  } catch (error) {
    if (error instanceof StyleError) return { errors: error.errors }
    throw error
  }
}

// Vite's import queries, which apps written for pyxle-framework 0.9 (built by Vite) use: `?raw` is
// the file's text (an SVG to inline), `?url` its URL (copied out as an image is, whatever its kind),
// `?inline` a data: URL; pyxle typecheck declares them (_assets.py IMPORT_QUERIES). Without this
// esbuild drops the query and loads the file by its suffix (an SVG's URL where its markup was asked).
const QUERY_LOADERS = { '?raw': 'text', '?inline': 'dataurl' }
const QUERIES = /\?(raw|url|inline)$/
// A `?url` file is loaded in a namespace of its own (`pyxle-url:/abs/icon.svg`), its query dropped:
// esbuild's file loader appends an import's query to the URL (`icon-HASH.svg?url`), where Vite
// gives the bare URL; and the namespace keeps it apart from the same file imported plainly (a
// script bundled).
const URL_NAMESPACE = 'pyxle-url'

function asked({ path: file, suffix }) {
  const loader = QUERY_LOADERS[suffix]
  return loader === undefined ? undefined : { contents: readFileSync(file), loader }
}

async function urlImport(build, args) {
  const found = await build.resolve(args.path.slice(0, -'?url'.length), {
    kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: args.pluginData,
  })
  if (found.errors.length) return { errors: found.errors, warnings: found.warnings }
  return { path: found.path, namespace: URL_NAMESPACE }
}

// The SSR build renders HTML only: stylesheets are left empty there (CSS modules still give it
// their class names).
const pyxlePlugin = ({ hot, ssr }) => ({
  name: 'pyxle',
  setup(build) {
    build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => wrongCase(args.path, plan.projectRoot) ?? asked(args))
    build.onResolve({ filter: /\?url$/ }, (args) => urlImport(build, args))
    build.onLoad({ filter: /.*/, namespace: URL_NAMESPACE }, (args) => wrongCase(args.path, plan.projectRoot) ?? {
      contents: readFileSync(args.path), loader: 'file', watchFiles: [args.path],
    })
    build.onResolve({ filter: /^pyxle-entry:/ }, (args) => ({ path: args.path.slice('pyxle-entry:'.length), namespace: 'pyxle-entry' }))
    build.onLoad({ filter: /.*/, namespace: 'pyxle-entry' }, (args) => ({
      contents: entrySource(args.path, hot), loader: 'js', resolveDir: plan.projectRoot,
    }))
    build.onResolve({ filter: /^pyxle-pin:$/ }, () => ({ path: 'pin', namespace: 'pyxle-pin' }))
    build.onLoad({ filter: /.*/, namespace: 'pyxle-pin' }, () => ({ contents: PIN_SOURCE, loader: 'js', resolveDir: plan.projectRoot }))
    build.onResolve({ filter: /^pyxle-helpers:/ }, (args) => ({ path: args.path.slice('pyxle-helpers:'.length), namespace: 'pyxle-helpers' }))
    build.onLoad({ filter: /.*/, namespace: 'pyxle-helpers' }, (args) => ({ contents: HELPERS[args.path], loader: 'js', resolveDir: plan.clientRuntime }))
    build.onResolve({ filter: /^pyxle-shared:$/ }, () => ({ path: 'shared', namespace: 'pyxle-shared' }))
    build.onLoad({ filter: /.*/, namespace: 'pyxle-shared' }, () => ({
      contents: SHARED_ENTRY, loader: 'js', resolveDir: plan.projectRoot,
    }))
    build.onResolve({ filter: /^pyxle\/client(\/.*)?$/ }, (args) => ({
      path: path.join(plan.clientRuntime, args.path.slice('pyxle/client'.length) || 'index.js'),
    }))
    // A module's CSS comes after that of the modules it composes from, so its own rules win.
    build.onLoad({ filter: MODULE }, (args) => styleContents(() => styles.module(args.path), ({ names, composes }) => ({
      contents: [...composes, args.path].map((file) => `import ${JSON.stringify(file + '?pyxle-css')}\n`).join('') +
        `export default ${JSON.stringify(names)}`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    })))
    build.onResolve({ filter: /\?pyxle-css$/ }, (args) => ({ path: args.path, namespace: 'pyxle-css' }))
    build.onLoad({ filter: /.*/, namespace: 'pyxle-css' }, (args) => {
      const file = args.path.slice(0, -'?pyxle-css'.length)
      if (ssr) return { contents: '', loader: 'css' }
      return styleContents(() => styles.module(file), ({ css, warnings }) => ({ contents: css, warnings, loader: 'css', resolveDir: path.dirname(file) }))
    })
    if (!styles.processesCss) {
      // `tailwindcss` 4 alone (no plugin that brings its compiler, no PostCSS config): its CSS
      // would pass through unprocessed, with no utilities in it.
      build.onResolve({ filter: /^tailwindcss$/ }, (args) => (args.kind !== 'import-rule' ? undefined : {
        errors: [{ text: '@import "tailwindcss" needs Tailwind\'s compiler, which is not installed',
          detail: { hint: 'npm install -D @tailwindcss/postcss (Pyxle runs it; no PostCSS config is needed)' } }],
      }))
    }
    if (ssr) {
      build.onLoad({ filter: /\.(css|scss|sass)$/ }, () => ({ contents: '', loader: 'css' }))
    } else {
      build.onLoad({ filter: styles.processesCss ? /\.(css|scss|sass)$/ : SASS }, (args) => styleContents(() => styles.load(args.path), (css) => ({
        contents: css, loader: 'css', resolveDir: path.dirname(args.path),
      })))
    }
    build.onResolve({ filter: /^pyxle-public-env:$/ }, () => ({ path: 'env', namespace: 'pyxle-public-env', sideEffects: false }))
    build.onLoad({ filter: /.*/, namespace: 'pyxle-public-env' }, () => ({ contents: publicEnvModule(ssr), loader: 'js' }))
    build.onLoad({ filter: /\.pyxl$/ }, async (args) => {
      const compiled = plan.modules[args.path]
      if (!compiled) return { errors: [{ text: `${args.path} is not a compiled page (is it under pages/?)` }] }
      const code = readFileSync(compiled, 'utf8')
      const loader = compiled.endsWith('.tsx') ? 'tsx' : 'jsx' // a # --- TSX --- page
      const refused = await directiveErrors(build.esbuild, args.path, code, loader)
      if (refused.length) return { errors: refused }
      noteEnvReads(args.path, code) // the compiled module keeps the .pyxl's line numbers
      const contents = (hot ? await withRefresh(code, args.path, loader) : code) + envImport(code)
      return { contents, loader, resolveDir: path.dirname(args.path) }
    })
    // The project's own modules; npm packages and the Pyxle runtime load as they are. A shared
    // module outside the project gets Fast Refresh alone, so its components keep their state too.
    build.onLoad({ filter: /\.(m?[jt]sx?)$/ }, async (args) => {
      const inProject = args.path.startsWith(plan.projectRoot + path.sep) && !args.path.includes(`${path.sep}node_modules${path.sep}`)
      const loader = SOURCE_LOADERS[path.extname(args.path)]
      if (hot && loader && args.namespace === 'file' && sharedModule(args.path)) {
        return { contents: await withRefresh(readFileSync(args.path, 'utf8'), args.path, loader), loader }
      }
      if (args.namespace !== 'file' || !inProject || !loader || args.path.startsWith(plan.clientRuntime + path.sep)) return undefined
      const code = readFileSync(args.path, 'utf8')
      noteEnvReads(args.path, code)
      const refused = await directiveErrors(build.esbuild, args.path, code, loader)
      if (refused.length) return { errors: refused }
      const added = envImport(code) + moduleTail(code)
      if (!hot && !added) return undefined
      return { contents: (hot ? await withRefresh(code, args.path, loader) : code) + added, loader }
    })
  },
})

// The reads of process.env names page code never sees (envreads.mjs), by module: kept across
// pyxle dev's rebuilds, which load only the modules that changed, so each build's manifest lists
// them all (Python warns of each name once).
const envReads = new Map()

function noteEnvReads(file, code) {
  const found = hiddenEnvReads(file, code)
  if (found.length) envReads.set(file, found)
  else envReads.delete(file)
}

// The reads of the modules still there, each file relative to the project, in a stable order.
function hiddenReads() {
  return [...envReads.entries()].filter(([file]) => existsSync(file)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, found]) => found.map((read) => ({ ...read, file: path.relative(plan.projectRoot, read.file).split(path.sep).join('/') })))
}

// What a define key may name after `process.env.` or `import.meta.env.`: a variable set from the
// shell can hold characters esbuild refuses there (it is still in the whole object).
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

// process.env and import.meta.env as page code sees them: only PYXLE_PUBLIC_* and the mode, in
// the browser AND in SSR (the Node workers' real environment holds the server's secrets, and SSR
// output is public). import.meta.env is what Vite gave apps of pyxle-framework 0.3-0.9 (their
// public variables were read there). SSR is true only in the SSR bundle.
function envObjects(ssr) {
  const mode = production ? 'production' : 'development'
  const fixed = {
    processEnv: { NODE_ENV: mode },
    importMetaEnv: { MODE: mode, DEV: !production, PROD: production, SSR: ssr, BASE_URL: '/' },
  }
  return { fixed, full: { processEnv: { ...plan.publicEnv, ...fixed.processEnv }, importMetaEnv: { ...plan.publicEnv, ...fixed.importMetaEnv } } }
}

// The names the whole objects go by in the bundle (see publicEnvDefines).
const ENV_GLOBALS = { processEnv: '__pyxleProcessEnv', importMetaEnv: '__pyxleImportMetaEnv' }
const ENV_READS = {
  processEnv: /\bprocess\s*\.\s*env\b(?:\s*\.\s*([A-Za-z_$][\w$]*))?/g,
  importMetaEnv: /\bimport\s*\.\s*meta\s*\.\s*env\b(?:\s*\.\s*([A-Za-z_$][\w$]*))?/g,
}

// Each use of a set name (process.env.PYXLE_PUBLIC_API) is replaced by its literal, so a value
// changes only the modules that read it. The whole object is an identifier, never a JSON define:
// esbuild injects an object define into every CommonJS module (React), which put every public
// name and value into the chunk all pages share, so adding any variable changed every page's hash.
// A project module that reads the whole object (or a name that is not set) imports it from
// pyxle-public-env: (envImport); anything else (npm packages) reads the global the banner sets,
// which holds only the mode.
function publicEnvDefines(ssr) {
  const { full } = envObjects(ssr)
  const define = { 'process.env': ENV_GLOBALS.processEnv, 'import.meta.env': ENV_GLOBALS.importMetaEnv }
  for (const [name, prefix] of [['processEnv', 'process.env'], ['importMetaEnv', 'import.meta.env']]) {
    for (const [key, value] of Object.entries(full[name])) {
      if (IDENTIFIER.test(key)) define[`${prefix}.${key}`] = JSON.stringify(value)
    }
  }
  return define
}

// Set before any module of an output file runs: the whole objects as npm packages read them.
function envBanner(ssr) {
  const { fixed } = envObjects(ssr)
  return Object.entries(ENV_GLOBALS).map(([name, global]) => `globalThis.${global} = ${JSON.stringify(fixed[name])};`).join(' ')
}

// pyxle-public-env: the whole objects as project modules read them.
const publicEnvModule = (ssr) => Object.entries(envObjects(ssr).full)
  .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)}`).join('\n')

// The import a project module needs when it reads process.env or import.meta.env other than by a
// set name: appended, so its lines stay the user's (an import is hoisted). A module with no
// import or export (CommonJS) is left alone.
function envImport(code) {
  if (!/^\s*(import|export)\b/m.test(code)) return ''
  const { full } = envObjects(false)
  const needed = Object.entries(ENV_READS)
    .filter(([name, reads]) => [...code.matchAll(reads)].some((m) => !m[1] || !Object.hasOwn(full[name], m[1])))
    .map(([name]) => `${name} as ${ENV_GLOBALS[name]}`)
  return needed.length ? `\nimport { ${needed.join(', ')} } from 'pyxle-public-env:'\n` : ''
}

function common(ssr = false) {
  return {
    bundle: true,
    jsx: 'automatic',
    nodePaths: nodeModules(plan.projectRoot), // for pyxle/client's own imports (react), as the project's resolve
    absWorkingDir: plan.projectRoot,
    logLevel: 'silent',
    loader: Object.fromEntries(plan.fileAssets.map((suffix) => [suffix, 'file'])), // pyxle.bundler.FILE_ASSETS
    define: publicEnvDefines(ssr),
    banner: { js: envBanner(ssr) },
  }
}

// The three builds of a plan: the browser pages, the SSR bundle, and (dev with Fast Refresh)
// the refresh runtime, a classic script.
function buildOptions() {
  const publicDir = path.join(plan.outDir, 'public', '_pyxle')
  return [
    {
      ...common(),
      plugins: [pyxlePlugin({ hot: Boolean(refresh), ssr: false })],
      entryPoints: [
        ...plan.pages.map((p) => ({ in: `pyxle-entry:${p.id}`, out: safeName(p.id) })),
        ...(refresh ? [{ in: 'pyxle-shared:', out: 'shared' }] : []),
        ...(refresh ? modules.filter((file) => existsSync(file)).map((file) => ({ in: file, out: moduleName(file) })) : []),
      ],
      outdir: publicDir,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: ['es2020'],
      minify: production,
      sourcemap: production ? false : 'linked',
      entryNames: '[name]-[hash]',
      chunkNames: 'chunks/[name]-[hash]',
      assetNames: 'assets/[name]-[hash]',
      publicPath: '/_pyxle',
      metafile: true,
    },
    {
      ...common(true),
      plugins: [pyxlePlugin({ hot: false, ssr: true })],
      entryPoints: [{ in: 'pyxle-entry:server', out: 'ssr' }],
      outdir: path.join(plan.outDir, 'server'),
      outExtension: { '.js': '.mjs' },
      // Hashed as the browser's files are: a server renders with the bundle it started with, which a
      // new build into its folder keeps beside its own (pyxle.app._staging).
      entryNames: '[name]-[hash]',
      format: 'esm',
      platform: 'node',
      target: ['node18'],
      // CommonJS dependencies (react-dom/server) call require() for Node built-ins.
      banner: { js: `import { createRequire as __pyxleRequire } from 'node:module'; const require = __pyxleRequire(import.meta.url); ${envBanner(true)}` },
      assetNames: 'assets/[name]-[hash]',
      publicPath: '/_pyxle',
      // The SSR workers map the stacks they send through it (ssr/_stacks.mjs), in production
      // too, so a render error names the .pyxl file and line. Without the sources' text (the
      // dev overlay reads the files): a third of the size, for every worker to read.
      sourcemap: 'inline',
      sourcesContent: false,
      metafile: true,
    },
    refresh && {
      ...common(),
      entryPoints: [{ in: path.join(plan.clientRuntime, '_refresh.js'), out: 'refresh' }],
      outdir: publicDir,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      entryNames: '[name]-[hash]',
      metafile: true,
    },
  ]
}

// The loader the bundle reads a project module with, by its extension (esbuild's own defaults).
const MODULE_LOADERS = { ...SOURCE_LOADERS, '.cjs': 'js', '.cts': 'ts' }

// What esbuild parsed of a file that failed, and with which loader: a compiled page, or a module
// of the project a page imports (components/Card.jsx); null for anything else (a package).
function parsed(file) {
  const compiled = plan.modules[file]
  if (compiled) return { source: compiled, loader: compiled.endsWith('.tsx') ? 'tsx' : 'jsx' }
  const loader = MODULE_LOADERS[path.extname(file)]
  const own = file.startsWith(plan.projectRoot + path.sep) &&
    !path.relative(plan.projectRoot, file).split(path.sep).includes('node_modules') &&
    !file.startsWith(plan.clientRuntime + path.sep)
  return own && loader ? { source: file, loader } : null
}

// The syntax errors in the compiled pages and the project's modules that failed, as
// `file:line:column:text` keys: esbuild's transform parses without resolving anything (as
// `pyxle check` does), so an error it reports too is one of syntax, and Python words it as check does.
async function syntaxErrors(esbuild, messages) {
  const files = new Set(messages.map((m) => m.location && path.resolve(plan.projectRoot, m.location.file))
    .filter((file) => file && parsed(file)))
  const found = new Set()
  for (const file of files) {
    const { source, loader } = parsed(file)
    try {
      await esbuild.transform(readFileSync(source, 'utf8'), { loader, jsx: 'automatic', logLevel: 'silent' })
    } catch (error) {
      for (const m of error.errors || []) if (m.location) found.add(`${file}:${m.location.line}:${m.location.column}:${m.text}`)
    }
  }
  return found
}

async function failure(error, esbuild) {
  const seen = new Set() // one broken config fails every stylesheet: say it once
  const unique = (error.errors || [{ text: String(error) }]).filter((m) => {
    const key = JSON.stringify([m.text, m.location && m.location.file, m.location && m.location.line])
    return !seen.has(key) && seen.add(key)
  })
  const syntax = esbuild ? await syntaxErrors(esbuild, unique) : new Set()
  const messages = unique.map((m) => {
    const detail = m.detail && typeof m.detail === 'object' ? m.detail : {}
    const known = 'line' in detail // a StyleError's: which of line and column are known
    const own = !known && m.location && m.location.lineText != null ? located(m.location) : null
    const file = m.location ? sourceFile(m.location) : null
    const isSyntax = Boolean(file && syntax.has(`${file}:${m.location.line}:${m.location.column}:${m.text}`))
    if (own) return { text: m.text, file, ...own, hint: detail.hint || resolveHint(m.text) || assetHint(m.text), syntax: isSyntax }
    return {
      text: m.text,
      file,
      syntax: isSyntax,
      line: known ? detail.line : m.location ? m.location.line : null,
      column: known ? detail.column : m.location ? characterColumn(m.location) : null,
      lineText: m.location ? m.location.lineText : null,
      hint: detail.hint || resolveHint(m.text) || assetHint(m.text),
    }
  })
  return { ok: false, errors: messages }
}

// What to do about an import of a kind of file the build does not copy (pyxle.bundler.FILE_ASSETS).
function assetHint(text) {
  const suffix = /^No loader is configured for "(.+)" files/.exec(text)?.[1]
  return suffix ? `the build copies images, media, fonts and PDFs it is given; put a "${suffix}" file in public/ and refer to it by its URL` : null
}

// An npm package's name, scoped or not, at the start of an import (`react`, `@scope/pkg/sub`).
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:\/|$)/i

// What to do about `Could not resolve "x"`: install a package, fix a path.
function resolveHint(text) {
  const spec = /^Could not resolve "(.+)"$/.exec(text)?.[1]
  if (!spec) return null
  if (/^[./]/.test(spec)) return `check the path: "${spec}" is resolved from the importing file's folder`
  if (!PACKAGE_NAME.test(spec)) { // `@/components/x`, `~lib/x`: no package is named so
    return `check the path: "${spec}" names no npm package, so it is a path alias's (jsconfig.json or tsconfig.json "paths")`
  }
  const name = spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')
  if (spec.startsWith('node:') || builtinModules.includes(name)) {
    return `"${name}" is built into Node, not the browser: page code runs in both (server-only work goes in the Python half)`
  }
  if (nodeModules(plan.projectRoot).some((folder) => existsSync(path.join(folder, name, 'package.json')))) {
    return `the package "${name}" is installed but has no "${spec}": check the path inside it`
  }
  return `install it with \`npm install ${name}\``
}

// The file a message is about: a CSS module's scoped stylesheet (`pyxle-css:FILE?pyxle-css`,
// the plugin's namespace) is its file.
const sourceFile = (location) => path.resolve(plan.projectRoot, location.file.replace(/^pyxle-css:(.*)\?pyxle-css$/, '$1'))

// --serve keeps one esbuild context per build, made again when what shapes it changes (pages
// added or removed, the public environment; the browser build's, its module entries): a rebuild
// then re-reads only what changed.
const contexts = { keys: [], list: [] }

// pyxle dev with Fast Refresh: the project's modules that the pages import, each built as an entry
// of its own. esbuild puts modules reached from the same entries in one chunk, and an edit gives
// the edited module's chunk a new URL, which the page imports again: every module in it runs again
// and Fast Refresh re-runs its components' effects. As entries, the page, its layouts and each
// component get a chunk of their own, so an edit runs again only the edited module and those that
// import it (their imports changed), not a component that merely shared its chunk.
let modules = []

// The project's modules the page entries import, directly or through each other (absolute paths,
// sorted): the ES modules Fast Refresh registers, which import PIN (compiled pages and layouts,
// components, helpers). Not npm packages, the runtime, styling.globalScripts (loaded before React,
// in order) or CommonJS modules: as entries, those would change the chunk holding React.
function importedModules(inputs) {
  const seen = new Set()
  const visit = (key) => {
    for (const { path: next, external } of inputs[key]?.imports ?? []) {
      if (external || seen.has(next)) continue
      seen.add(next)
      visit(next)
    }
  }
  for (const key of Object.keys(inputs)) if (key.startsWith('pyxle-entry:')) visit(key)
  return [...seen]
    .filter((key) => !/^[\w-]+:/.test(key))
    .map((key) => path.resolve(plan.projectRoot, key))
    .filter((file) => refresh.done.get(file)?.pins)
    .sort()
}

// The module entries of the build in outDir (a dev server's before this one): a process's first
// build starts from them, so that it finds them, rather than in a second build (see build()).
function earlierModules() {
  try {
    const { entries } = JSON.parse(readFileSync(path.join(plan.outDir, 'manifest.json'), 'utf8'))
    return Array.isArray(entries) ? entries.map((file) => path.resolve(plan.projectRoot, file)) : []
  } catch (error) {
    return []
  }
}

// Whether a module entry is still the plan's: a compiled page or layout only while a page of
// the plan renders it (a page that does not build is left out of the next plan); others are.
function planned() {
  const files = new Set(plan.pages.flatMap((p) => [p.page, ...(p.layouts || []).map((l) => l[1]),
    ...(p.loading || []).map((l) => l[1]), ...(p.error ? [p.error[1]] : [])]))
  return (file) => !file.endsWith('.pyxl') || files.has(file)
}

// A module entry's output name: its path in the project, in one folder of its own.
const moduleName = (file) => 'modules/' + path.relative(plan.projectRoot, file).replace(/[^A-Za-z0-9_-]+/g, '_')

// The builds' results, in buildOptions()'s order; `only` (their indexes) runs those alone, the
// others' results are null.
async function runBuilds(esbuild, serve, only = null) {
  const options = buildOptions()
  const asked = (i) => !only || only.includes(i)
  if (!serve) return Promise.all(options.map((option, i) => (asked(i) && option ? esbuild.build(option) : null)))
  const shape = [plan.pages, plan.mode, plan.publicEnv, plan.outDir, plan.refresh, plan.postcss, plan.globalStyles, plan.globalScripts]
  const keys = options.map((option, i) => (!asked(i) ? contexts.keys[i] : option && JSON.stringify([...shape, i === 0 ? modules : null])))
  contexts.list = await Promise.all(options.map(async (option, i) => {
    if (contexts.keys[i] === keys[i]) return contexts.list[i]
    if (contexts.list[i]) await contexts.list[i].dispose()
    return option && esbuild.context(option)
  }))
  contexts.keys = keys
  // Every context finishes before the outcome goes back, a failed one included: esbuild answers a
  // rebuild asked for while one is running with that running build's result, so the next edit
  // would get the failure it had just fixed.
  const settled = await Promise.allSettled(contexts.list.map((ctx, i) => (asked(i) && ctx ? ctx.rebuild() : null)))
  const failed = settled.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((result) => result.value)
}

// --serve writes each build over the last one (pyxle.bundler leaves the folder in place) and
// removes a file KEEP_MS after a build stopped writing it: a page that has just been told of the
// previous build may still import its files, or a Fast Refresh update may still be on its way.
const KEEP_MS = 30000
const retired = new Map() // file no longer written -> when it stopped being written

// `only`: the files of `folder` it may remove (server/ holds the compiled pages beside the SSR bundles).
function prune(outputs, folder, only = () => true) {
  const now = Date.now()
  const current = new Set(outputs.map((file) => path.resolve(plan.projectRoot, file)))
  let found = []
  try {
    found = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
  } catch (error) {
    return
  }
  for (const entry of found) {
    const file = path.join(entry.parentPath ?? entry.path, entry.name)
    if (!only(file)) continue
    if (current.has(file)) retired.delete(file)
    else if (!retired.has(file)) retired.set(file, now)
    else if (now - retired.get(file) > KEEP_MS) {
      rmSync(file, { force: true })
      retired.delete(file)
    }
  }
}

// What names the code the pages share (React, pyxle/client, the layouts): a hash of the chunks
// the page modules import, directly or through each other. A page module of another build may
// import other copies of that code, which the open document's cannot render (a second React):
// the router loads such a page in full (see show() in client/_router.js). A deploy that changes
// only a page's own module leaves it as it was. Chunks imported on demand (import()) are left out.
function sharedCode(outputs) {
  const seen = new Set()
  const visit = (file) => {
    for (const { path: next, kind, external } of outputs[file].imports) {
      if (kind !== 'import-statement' || external || seen.has(next) || !outputs[next]) continue
      seen.add(next)
      visit(next)
    }
  }
  for (const [file, output] of Object.entries(outputs)) {
    if (output.entryPoint && output.entryPoint.startsWith('pyxle-entry:')) visit(file)
  }
  const names = [...seen].map((file) => path.basename(file)).sort() // content hashes, wherever the build is
  return createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16)
}

// The files the builds read (absolute paths) but npm packages' and Pyxle's own: pyxle.bundler keeps
// those outside the project's folders in the build's fingerprint (a monorepo's shared components).
// Inputs of a plugin's namespace (pyxle-entry:server) are no files. `styles`: the files the
// stylesheets read through Sass and PostCSS (a monorepo's ../shared/_tokens.scss).
function sourcesRead(results, styles) {
  const read = new Set()
  for (const input of [...results.flatMap((result) => Object.keys(result.metafile.inputs)), ...styles]) {
    const key = input.startsWith(URL_NAMESPACE + ':') ? input.slice(URL_NAMESPACE.length + 1) : input // a ?url file is a file
    if (/^[\w-]+:/.test(key) || key.split(/[\\/]/).includes('node_modules')) continue
    const file = path.resolve(plan.projectRoot, key.replace(QUERIES, '')) // an SVG imported with ?raw is the SVG
    if (!file.startsWith(plan.clientRuntime + path.sep)) read.add(file)
  }
  return [...read].sort()
}

// The npm packages the builds read, each by the folders it was read from (from the project's
// folder, sorted): two folders of `react` are two copies of React, whose hooks then fail in every
// page ("Cannot read properties of null (reading 'useState')"), and pyxle.bundler names them. The
// folders are also part of what makes a build current: removing a nested copy must rebuild.
function packagesRead(results) {
  const found = {}
  for (const input of results.flatMap((result) => Object.keys(result.metafile.inputs))) {
    const parts = input.split(/[\\/]/)
    const at = parts.lastIndexOf('node_modules')
    if (/^[\w-]+:/.test(input) || at < 0 || at + 1 >= parts.length) continue
    const name = parts[at + 1].startsWith('@') ? parts.slice(at + 1, at + 3).join('/') : parts[at + 1]
    const folder = parts.slice(0, at + 1 + name.split('/').length).join('/')
    ;(found[name] ??= new Set()).add(folder)
  }
  return Object.fromEntries(Object.entries(found).sort().map(([name, folders]) => [name, [...folders].sort()]))
}

async function build(planPath, serve) {
  builds += 1
  plan = JSON.parse(readFileSync(planPath, 'utf8'))
  production = plan.mode === 'production'
  let esbuild = null
  try {
    require = createRequire(path.join(plan.projectRoot, 'package.json'))
    esbuild = require('esbuild')
    process.env.NODE_ENV ??= production ? 'production' : 'development' // what PostCSS configs test
    styles.begin(plan, require, production)
    if (plan.refresh && !refresh) refresh = await refreshTools()
    if (!plan.refresh) refresh = null
    if (refresh && builds === 1) modules = earlierModules()
    modules = modules.filter(planned()) // not a page this plan leaves out (pyxle dev: it does not build)
    let [client, server, refreshRuntime] = await runBuilds(esbuild, serve)
    const imported = refresh ? importedModules(client.metafile.inputs) : modules
    if (imported.join('\n') !== modules.join('\n')) { // a module imported for the first time, or no longer
      modules = imported
      client = (await runBuilds(esbuild, serve, [0]))[0]
    }
    await styles.check()
    const broken = cssSyntaxErrors(client.warnings, plan.projectRoot)
    if (broken.length) return failure({ errors: broken }, esbuild)
    if (serve) {
      const written = [client, refreshRuntime].filter(Boolean).flatMap((result) => Object.keys(result.metafile.outputs))
      prune(written, path.join(plan.outDir, 'public'))
      const ssrDir = path.join(plan.outDir, 'server') // the SSR bundles rebuilds replaced (an older Pyxle's ssr.mjs too)
      prune(Object.keys(server.metafile.outputs), ssrDir, (file) => path.dirname(file) === ssrDir && /^ssr(-.*)?\.mjs$/.test(path.basename(file)))
    }
    // Text assets are precompressed once here, so serving them costs no CPU. Not in development:
    // brotli at quality 11 over unminified bundles and their source maps takes seconds per rebuild.
    for (const file of production ? Object.keys(client.metafile.outputs) : []) {
      if (!/\.(js|css|svg)$/.test(file)) continue
      const abs = path.resolve(plan.projectRoot, file)
      const data = readFileSync(abs)
      writeFileSync(abs + '.gz', gzipSync(data, { level: 9 }))
      writeFileSync(abs + '.br', brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }))
    }
    const pages = {}
    const url = (file) => '/' + path.relative(path.join(plan.outDir, 'public'), path.resolve(plan.projectRoot, file)).split(path.sep).join('/')
    for (const [file, output] of Object.entries(client.metafile.outputs)) {
      if (!output.entryPoint || !output.entryPoint.startsWith('pyxle-entry:')) continue
      const id = output.entryPoint.slice('pyxle-entry:'.length)
      pages[id] = {
        js: url(file),
        imports: output.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => url(i.path)),
        css: output.cssBundle ? [url(output.cssBundle)] : [],
        bytes: output.bytes,
      }
    }
    mkdirSync(plan.outDir, { recursive: true })
    const bundle = Object.keys(server.metafile.outputs).find((file) => file.endsWith('.mjs'))
    // ssrBundle (pyxle.bundler._served.SSR_KEY): relative, as a build is made beside dist/ and renamed into place
    const manifest = { pages, ssrBundle: path.relative(plan.outDir, path.resolve(plan.projectRoot, bundle)).split(path.sep).join('/') }
    if (production) manifest.shared = sharedCode(client.metafile.outputs)
    if (refreshRuntime) manifest.refresh = url(Object.keys(refreshRuntime.metafile.outputs).find((f) => f.endsWith('.js')))
    manifest.envReads = hiddenReads()
    if (refresh) manifest.entries = modules.map((file) => path.relative(plan.projectRoot, file).split(path.sep).join('/'))
    writeFileSync(path.join(plan.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2))
    return { ok: true, manifest, read: sourcesRead([client, server], styles.read()), packages: packagesRead([client, server]) }
  } catch (error) {
    return failure(error, esbuild)
  }
}

// pyxle dev starts the process when it starts watching: load esbuild and Babel then, so the
// first edit does not wait for them.
async function prewarm(root) {
  require = createRequire(path.join(root, 'package.json'))
  require('esbuild')
  refresh = await refreshTools().catch(() => null) // not installed: no Fast Refresh
}

if (process.argv[2] === '--serve') {
  // The worker that reads the outcomes is gone (killed mid-build): nobody is left to tell, so exit
  // quietly rather than print Node's unhandled EPIPE stack into pyxle dev's log.
  process.stdout.on('error', () => process.exit(0))
  const warm = process.argv[3] ? prewarm(process.argv[3]).catch(() => {}) : null
  for await (const line of createInterface({ input: process.stdin })) {
    await warm
    if (line.trim()) process.stdout.write(JSON.stringify(await build(line.trim(), true)) + '\n')
  }
  // The end of input is the end of the dev server: the contexts would keep Node alive.
  await Promise.all(contexts.list.map((ctx) => ctx && ctx.dispose()))
  process.exit(0)
} else {
  const outcome = await build(process.argv[2], false)
  process.stdout.write(JSON.stringify(outcome) + '\n')
  process.exitCode = outcome.ok ? 0 : 1
}
