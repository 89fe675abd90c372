// The project's stylesheets on their way to esbuild (imported by build.mjs):
//   - Sass compiles .scss/.sass, with the project's own `sass` (or `sass-embedded`) package;
//   - the project's own PostCSS config (postcss.config.{js,cjs,mjs}, found by pyxle.bundler) runs
//     on every stylesheet, with the plugins from the project's node_modules, as Vite ran it;
//   - with no PostCSS config, Tailwind 4 runs on the stylesheets that use it when its compiler
//     (@tailwindcss/node, installed by @tailwindcss/vite and @tailwindcss/postcss) is there, as
//     0.9's Vite plugin ran it;
//   - CSS modules are scoped by esbuild's local-css, once for both builds: the same names in each.
// Without a PostCSS config, Tailwind 4 and Sass files none of this runs: esbuild reads plain CSS itself.
// Failures are thrown as StyleError, shaped like esbuild's messages (file, line, text, a hint).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const MODULE = /\.module\.(css|scss|sass)$/
export const SASS = /\.s[ac]ss$/

// The node_modules folders Node looks in for the project's packages: its own, then each parent
// folder's (an npm workspaces root, where `npm install` hoists them).
export function nodeModules(root) {
  const found = [path.join(root, 'node_modules')]
  for (let dir = root; path.dirname(dir) !== dir; dir = path.dirname(dir)) found.push(path.join(path.dirname(dir), 'node_modules'))
  return found
}

// esbuild's messages need a line and column; `detail` says which of them are known.
export class StyleError extends Error {
  constructor(file, line, text, hint = null, column = null) {
    super(text)
    const lineText = line ? (readLines(file)[line - 1] ?? '') : ''
    this.errors = [{
      text,
      location: file ? { file, line: line || 0, column: column ? column - 1 : 0, lineText } : null,
      detail: { hint, line: line || null, column: line && column ? column : null },
    }]
  }
}

function readLines(file) {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)
  } catch {
    return []
  }
}

// The first line of `file` naming `name` (a plugin or package), for errors about it.
function lineNaming(file, name) {
  const index = readLines(file).findIndex((line) => line.includes(`'${name}'`) || line.includes(`"${name}"`) ||
    new RegExp(`(^|[\\s{,])${name.replace(/[^\w]/g, '\\$&')}\\s*:`).test(line))
  return index < 0 ? null : index + 1
}

// The line of `file` an error's stack points at (a syntax error, a throw at the top level).
function lineInStack(file, error) {
  const escaped = [file, pathToFileURL(file).href].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
  const match = String(error && error.stack).match(new RegExp(`(?:${escaped}):(\\d+)`))
  return match ? Number(match[1]) : null
}

// The files and lines of a V8 stack's frames: `at name (LOCATION)` or `at LOCATION`, LOCATION being
// `path:line:column` or a file:// URL. A path may hold spaces and parentheses (`/my app (v2)/...`),
// so the location runs to the line's end.
function stackFrames(error) {
  const frames = []
  for (const [, at] of String(error && error.stack).matchAll(/^\s*at (.+?)\)?$/gm)) {
    const found = at.match(/(?:^|.*? \()((?:file:\/\/)?\/.+?):(\d+)(?::\d+)?$/)
    if (found) frames.push({ file: found[1].startsWith('file://') ? fileURLToPath(found[1]) : found[1], line: Number(found[2]) })
  }
  return frames
}

// An error from a project's file other than the stylesheet (a tailwind.config.js that throws, a
// plugin of the project's own): the first frame of its stack inside the project.
function projectFrame(root, error) {
  return stackFrames(error).find(({ file }) =>
    file.startsWith(root + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)) ?? null
}

const missingPackage = (error) => /^(ERR_)?MODULE_NOT_FOUND$/.test(error && error.code)
  ? (String(error.message).match(/Cannot find (?:package|module) '([^']+)'/) || [])[1] : undefined
const isPackageName = (name) => Boolean(name) && !name.startsWith('.') && !path.isAbsolute(name)

function configError(file, error) {
  const missing = missingPackage(error)
  if (isPackageName(missing)) {
    return new StyleError(file, lineNaming(file, missing) ?? lineInStack(file, error),
      `the PostCSS config needs "${missing}", which is not installed`, `npm install -D ${missing}`)
  }
  const text = `the PostCSS config cannot be loaded: ${error && error.name ? `${error.name}: ` : ''}${error && error.message}`
  const hint = path.basename(file) === '.postcssrc' ? 'write .postcssrc as JSON (YAML is not read), or use postcss.config.js' : undefined
  return new StyleError(file, lineInStack(file, error), text.split('\n')[0], hint)
}

// A plugin named by the object form, `plugins: { tailwindcss: {}, autoprefixer: {} }`: its
// module, called with its options when there are any (false leaves it out).
function namedPlugin(name, options, file, require) {
  let plugin
  try {
    plugin = require(name)
  } catch (error) {
    if (missingPackage(error) === name) {
      throw new StyleError(file, lineNaming(file, name), `the PostCSS plugin "${name}" is not installed`, `npm install -D ${name}`)
    }
    throw new StyleError(file, lineNaming(file, name), `the PostCSS plugin "${name}" cannot be loaded: ${error.message.split('\n')[0]}`)
  }
  if (typeof plugin !== 'function' && plugin && plugin.default) plugin = plugin.default
  const given = options !== null && typeof options === 'object' && Object.keys(options).length > 0
  try {
    return given ? plugin(options) : plugin
  } catch (error) {
    throw new StyleError(file, lineNaming(file, name), `the PostCSS plugin "${name}" failed with its options: ${error.message}`)
  }
}

// The config's exported object: a module (postcss.config.{js,cjs,mjs}, .postcssrc.{js,cjs,mjs}),
// JSON (.postcssrc, .postcssrc.json) or package.json's "postcss".
async function configObject(file) {
  const name = path.basename(file)
  if (name === 'package.json') return JSON.parse(readFileSync(file, 'utf8')).postcss
  if (name === '.postcssrc' || name.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'))
  const exported = await import(pathToFileURL(file).href)
  return exported.default ?? exported
}

async function loadConfig(file, root, require, production) {
  let config
  try {
    config = await configObject(file)
    if (typeof config === 'function') config = await config({ env: production ? 'production' : 'development', cwd: root })
  } catch (error) {
    throw configError(file, error)
  }
  if (!config || typeof config !== 'object') {
    throw new StyleError(file, null, 'the PostCSS config must export an object like { plugins: { ... } }')
  }
  let plugins = config.plugins ?? []
  if (Array.isArray(plugins)) {
    plugins = plugins.flat().filter(Boolean).map((p) => (typeof p === 'string' ? namedPlugin(p, {}, file, require) : p))
  } else if (typeof plugins === 'object') {
    plugins = Object.entries(plugins).filter(([, o]) => o !== false).map(([name, o]) => namedPlugin(name, o, file, require))
  } else {
    throw new StyleError(file, lineNaming(file, 'plugins'), '"plugins" must be an object ({ name: options }) or a list of plugins')
  }
  let postcss
  try {
    postcss = require('postcss')
  } catch (error) {
    throw new StyleError(file, null, 'the project has a PostCSS config but PostCSS is not installed', 'npm install -D postcss')
  }
  const options = {}
  for (const key of ['parser', 'syntax', 'stringifier']) {
    if (config[key]) options[key] = typeof config[key] === 'string' ? namedPlugin(config[key], {}, file, require) : config[key]
  }
  try {
    return { processor: postcss(plugins), options, file }
  } catch (error) {
    throw new StyleError(file, lineNaming(file, 'plugins'), `the PostCSS config lists something that is not a plugin: ${error.message}`)
  }
}

function sassCompiler(require) {
  for (const name of ['sass', 'sass-embedded']) {
    try {
      return require(name)
    } catch (error) {
      if (missingPackage(error) !== name) throw error
    }
  }
  return null
}

function compileSass(file, root, require) {
  const sass = sassCompiler(require)
  if (!sass) {
    throw new StyleError(file, null, 'a Sass stylesheet needs the "sass" package, which is not installed', 'npm install -D sass')
  }
  try {
    const result = sass.compile(file, { loadPaths: nodeModules(root), style: 'expanded', sourceMap: false })
    return { css: result.css, deps: result.loadedUrls.filter((u) => u.protocol === 'file:').map((u) => fileURLToPath(u)) }
  } catch (error) {
    const span = error.span
    if (!span) throw new StyleError(file, null, `Sass: ${error.message}`)
    const where = span.url && span.url.protocol === 'file:' ? fileURLToPath(span.url) : file
    throw new StyleError(where, span.start.line + 1, `Sass: ${error.sassMessage ?? error.message}`, null, span.start.column + 1)
  }
}

// Tailwind 3 compiles its config with sucrase (or jiti), whose syntax errors carry a line and
// column but no file name.
function tailwindConfigError(error, root) {
  if (!error || !error.loc || !/[\\/](sucrase|jiti)[\\/]/.test(String(error.stack))) return null
  const config = ['js', 'cjs', 'mjs', 'ts'].map((ext) => path.join(root, `tailwind.config.${ext}`)).find((f) => existsSync(f))
  return config ? new StyleError(config, error.loc.line, `${error.name}: ${error.message.replace(/ \(\d+:\d+\)$/, '')}`, null, error.loc.column) : null
}

function postcssError(error, file, root) {
  const config = tailwindConfigError(error, root)
  if (config) return config
  if (error && error.name === 'CssSyntaxError') {
    const where = error.file || file
    const plugin = error.plugin ? `${error.plugin}: ` : ''
    return new StyleError(where, error.line, `${plugin}${error.reason}`, null, error.column)
  }
  const frame = projectFrame(root, error)
  const plugin = error && error.plugin ? `${error.plugin}: ` : ''
  const text = `${plugin}${(error && error.message) || error}`.split('\n')[0]
  return frame ? new StyleError(frame.file, frame.line, text) : new StyleError(file, null, text)
}

// The npm package whose code threw `error`: the first frame of its stack in a node_modules folder.
function throwingPackage(error) {
  for (const { file } of stackFrames(error)) {
    const parts = file.split(path.sep)
    const at = parts.lastIndexOf('node_modules')
    if (at >= 0 && parts[at + 1]) return parts[at + 1].startsWith('@') ? parts.slice(at + 1, at + 3).join('/') : parts[at + 1]
  }
  return null
}

const TAILWIND4_PLUGIN = 'Tailwind 4 runs in PostCSS as "@tailwindcss/postcss": npm install -D @tailwindcss/postcss, ' +
  'and list it in place of tailwindcss and autoprefixer (Tailwind 3\'s config)'

// A plugin that fails on an empty stylesheet too fails because of how the config sets it up (Tailwind
// 4's `tailwindcss` listed where `@tailwindcss/postcss` belongs): named at the config, at the line
// naming the plugin, not at whichever stylesheet was built first. Tried only once a stylesheet
// failed, once per config: a build that works pays nothing. Null for any other failure.
async function setupError(error, postcss, root) {
  if (!error || error.name === 'CssSyntaxError' || projectFrame(root, error) || tailwindConfigError(error, root)) return null
  postcss.empty ??= postcss.processor.process('', { ...postcss.options, from: path.join(root, 'empty.css'), map: false })
    .then(() => null, (failed) => failed)
  const failed = await postcss.empty
  if (!failed || String(failed.message) !== String(error.message)) return null
  const name = throwingPackage(error)
  const text = `the PostCSS plugin ${name ? `"${name}" ` : ''}fails whatever the stylesheet: ${String(error.message).split('\n')[0]}`
  const hint = name === 'tailwindcss' && String(error.message).includes('@tailwindcss/postcss') ? TAILWIND4_PLUGIN : null
  return new StyleError(postcss.file, name ? lineNaming(postcss.file, name) : null, text, hint)
}

// Tailwind 4 without a PostCSS config: what @tailwindcss/vite did under 0.9, done with the same
// compiler (@tailwindcss/node) and scanner (@tailwindcss/oxide) it uses. Only stylesheets that
// use Tailwind go through it; it scans the project for class names (`.pyxl` files included).
const TAILWIND_AT_RULE = /@(?:import\s+(?:url\()?\s*["']tailwindcss[/"']|(?:tailwind|reference|theme|apply|plugin|config|utility|custom-variant|variant|source)\b)/

function tailwind4(require) {
  try {
    require.resolve('@tailwindcss/node')
  } catch {
    return null
  }
  let loaded
  return async (css, file, root, production) => {
    loaded ??= { node: require('@tailwindcss/node'), oxide: require('@tailwindcss/oxide') }
    const { node, oxide } = loaded
    const deps = []
    let compiler
    try {
      compiler = await node.compile(css, { base: path.dirname(file), from: file, onDependency: (dep) => deps.push(dep),
        shouldRewriteUrls: true })
    } catch (error) {
      throw new StyleError(file, null, `Tailwind: ${String(error && error.message).split('\n')[0]}`)
    }
    const sources = (compiler.root === 'none' ? [] : compiler.root === null
      ? [{ base: root, pattern: '**/*', negated: false }] : [{ ...compiler.root, negated: false }]).concat(compiler.sources)
    const utilities = compiler.features & node.Features.Utilities
    const scanner = new oxide.Scanner({ sources })
    let out = compiler.build(utilities ? scanner.scan() : [])
    if (production) out = node.optimize(out, { file, minify: false }).code
    if (utilities) deps.push(...scanner.files.filter((f) => outside(root, f))) // `@source "../shared"`: followed
    return { css: out, deps, folders: Boolean(utilities) }
  }
}

// What a build knows about the project's stylesheets. One per build.mjs process: in pyxle dev a
// stylesheet whose source and dependencies are unchanged is not processed again, unless a
// plugin said it reads whole folders (Tailwind's content), whose files may have changed.
export function projectStyles() {
  let config = { file: null, ready: Promise.resolve(null) }
  let building = new Map() // file -> Promise<css>, for the build in progress (both builds share it)
  let modules = new Map() // file and follow -> Promise<{ names, css, composes, warnings }>, the same
  const kept = new Map() // file -> { source, css, deps: [[file, mtime]], folders }
  const scopedBefore = new Map() // file and follow -> { css, result } of an earlier build (see module)
  let plan

  async function run(file) {
    const source = readFileSync(file, 'utf8')
    const prior = kept.get(file)
    if (prior && prior.source === source && !prior.folders && prior.deps.every(([f, t]) => mtime(f) === t)) return prior.css
    let css = source
    const deps = []
    let folders = false
    if (SASS.test(file)) {
      const compiled = compileSass(file, plan.projectRoot, plan.require)
      css = compiled.css
      deps.push(...compiled.deps)
    }
    const postcss = await config.ready
    if (!postcss && plan.tailwind && TAILWIND_AT_RULE.test(css)) {
      const compiled = await plan.tailwind(css, file, plan.projectRoot, plan.production)
      css = compiled.css
      deps.push(...compiled.deps)
      folders = compiled.folders
    } else if (postcss) {
      let result
      try {
        result = await postcss.processor.process(css, { ...postcss.options, from: file, map: false })
      } catch (error) {
        throw (await setupError(error, postcss, plan.projectRoot)) ?? postcssError(error, file, plan.projectRoot)
      }
      css = result.css
      for (const message of result.messages) {
        if (message.type === 'dependency' && message.file) deps.push(message.file)
        if (message.type === 'dir-dependency' || message.type === 'context-dependency') folders = true
        if (message.type === 'dir-dependency' && message.dir && outside(plan.projectRoot, message.dir)) deps.push(...filesUnder(message.dir))
      }
    }
    kept.set(file, { source, css, deps: deps.map((f) => [f, mtime(f)]), folders })
    return css
  }

  return {
    // Called at the start of every build: (re)loads the PostCSS config when it is another one.
    // It loads while esbuild bundles the JavaScript; stylesheets wait for it.
    begin(currentPlan, require, production) {
      const tailwind = currentPlan.postcss ? null : tailwind4(require)
      if (Boolean(tailwind) !== Boolean(plan && plan.tailwind)) kept.clear()
      plan = { ...currentPlan, require, production, tailwind }
      building = new Map()
      modules = new Map()
      if (config.file !== currentPlan.postcss) {
        kept.clear()
        const file = currentPlan.postcss
        config = { file, ready: file ? loadConfig(file, currentPlan.projectRoot, require, production) : Promise.resolve(null) }
        config.ready.catch(() => {}) // reported by the stylesheets that wait for it, or by check()
      }
    },
    // After the build: a config that cannot be loaded fails it even when no stylesheet asked for it.
    async check() {
      await config.ready
    },
    // Whether plain .css files need us (a PostCSS config, or Tailwind 4 without one); .scss/.sass
    // and modules always do.
    get processesCss() {
      return Boolean(config.file || plan.tailwind)
    },
    // The files outside the project the stylesheets of this build read (a Sass partial, a PostCSS
    // plugin's dependency, a file Tailwind scanned for `@source "../shared"`): build.mjs reports them
    // with esbuild's, for the build's fingerprint and pyxle dev's watch. Those inside are the walk's
    // (Tailwind reports every file it scans, .py and .md too, which are no inputs of a build's).
    read() {
      return [...building.keys()].flatMap((file) => (kept.get(file)?.deps ?? []).map(([dep]) => dep))
        .filter((dep) => outside(plan.projectRoot, dep))
    },
    // The stylesheet's CSS after Sass and PostCSS; throws StyleError.
    load(file) {
      let css = building.get(file)
      if (!css) building.set(file, (css = run(file)))
      return css
    },
    // A CSS module's { names, css, composes, warnings } (scopeModule); throws StyleError.
    // A module that composes from no other is scoped again only when its CSS changed: in pyxle dev
    // an edit elsewhere costs no esbuild build per module (some 2 ms each).
    module(file, follow = true) {
      const key = `${follow}:${file}`
      let scoped = modules.get(key)
      if (!scoped) {
        scoped = this.load(file).then(async (css) => {
          const before = scopedBefore.get(key)
          if (before && before.css === css && !before.result.composes.length) return before.result
          const result = await scopeModule(file, follow, plan.projectRoot, plan.require('esbuild'), (f) => this.load(f), (f, w) => this.module(f, w))
          scopedBefore.set(key, { css, result })
          return result
        })
        modules.set(key, scoped)
      }
      return scoped
    },
  }
}

// Whether `file` lies outside the project's folder (a monorepo's ../shared).
function outside(root, file) {
  return !path.resolve(file).startsWith(root + path.sep)
}

// The files in a folder a PostCSS plugin said it read (a `dir-dependency`: Tailwind 3's content
// glob), but packages' and dot-folders': where it lies outside the project, they are what the
// build's fingerprint holds of it. At most `limit` (a folder as wide as the monorepo's root).
function filesUnder(dir, limit = 5000) {
  const found = []
  const todo = [dir]
  while (todo.length && found.length < limit) {
    const folder = todo.pop()
    let entries
    try {
      entries = readdirSync(folder, { withFileTypes: true })
    } catch {
      continue
    }
    for (const entry of entries) {
      const file = path.join(folder, entry.name)
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) todo.push(file)
      else if (entry.isFile()) found.push(file)
    }
  }
  return found.slice(0, limit)
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs
  } catch {
    return -1
  }
}

// A CSS module scoped by esbuild's own CSS-modules support (its local-css loader: `:global`,
// `:local`, `composes`, `@keyframes`), in a small build of its own: the browser and SSR builds both
// take its names and CSS from there, where local-css in them would name by their minification.
// esbuild names a class `<file's stem>_<class>`: the module is read as `m<hash>.module.css` (a hash
// of its path, so two modules never share a name), and each `m<hash>_<class>` it made becomes
// `<Name>_<class>_<hash>`, the names 0.9's Vite gave. A module named by `composes: a from
// './other.module.css'` is read there only for its names (`follow` false leaves its own composes
// out), as empty rules: its CSS comes from an import of it, which `composes` lists.
async function scopeModule(file, follow, root, esbuild, load, scoped) {
  const virtual = new Map() // the path esbuild reads a module as -> the module
  const stems = new Map() // hash -> the module's name
  const composes = new Set() // the other modules it composes from
  const named = (real) => {
    const tag = createHash('sha1').update(path.relative(root, real).split(path.sep).join('/')).digest('hex').slice(0, 6)
    stems.set(tag, path.basename(real).replace(MODULE, '').replace(/[^\w-]/g, '_'))
    const as = path.join(path.dirname(real), `m${tag}.module.css`)
    virtual.set(as, real)
    return as
  }
  const renamed = (text) => text.replace(/(?<![\w-])m([0-9a-f]{6})_((?:[\w-]|\\.)+)/g,
    (name, tag, local) => (stems.has(tag) ? `${stems.get(tag)}_${local}_${tag}` : name))
  await load(file) // a Sass or PostCSS error: a StyleError of the file's own
  let result
  try {
    result = await esbuild.build({
      stdin: { contents: `export { default } from ${JSON.stringify(`pyxle-module:${file}`)}`, resolveDir: root },
      absWorkingDir: root, bundle: true, write: false, outdir: root, format: 'cjs', logLevel: 'silent',
      plugins: [{
        name: 'pyxle-module',
        setup(build) {
          build.onResolve({ filter: /^pyxle-module:/ }, () => ({ path: named(file), namespace: 'pyxle-module' }))
          build.onResolve({ filter: /.*/ }, async (args) => {
            if (args.pluginData === 'plain') return undefined
            if (args.kind !== 'composes-from' || !follow) return { path: args.path, external: true } // @import, url(): the bundle's
            const found = await build.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: 'plain' })
            if (found.errors.length) return { errors: found.errors }
            if (found.path === file) return { path: named(file), namespace: 'pyxle-module' }
            composes.add(found.path)
            return { path: named(found.path), namespace: 'pyxle-composed', pluginData: found.path }
          })
          build.onLoad({ filter: /.*/, namespace: 'pyxle-module' }, async () => ({
            contents: await load(file), loader: 'local-css', resolveDir: path.dirname(file),
          }))
          build.onLoad({ filter: /.*/, namespace: 'pyxle-composed' }, async (args) => {
            try {
              const { names } = await scoped(args.pluginData, false)
              return { contents: Object.keys(names).map((name) => `.${name.replace(/[^\w-]/g, '\\$&')}{}`).join('\n'), loader: 'local-css' }
            } catch (error) {
              if (error instanceof StyleError) return { errors: error.errors }
              throw error
            }
          })
        },
      }],
    })
  } catch (error) {
    if (!error.errors) throw error
    throw Object.assign(new StyleError(file, null, ''), { errors: error.errors.map((m) => ownMessage(m, root, virtual)) })
  }
  const exported = { exports: {} }
  new Function('module', 'exports', result.outputFiles.find((f) => f.path.endsWith('.js')).text)(exported, exported.exports)
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'))
  const names = Object.fromEntries(Object.entries(exported.exports.default).map(([local, name]) => [local, renamed(name)]))
  return { names, css: css ? renamed(css.text) : '', composes: [...composes], warnings: result.warnings.map((m) => ownMessage(m, root, virtual)) }
}

// An esbuild message of a module's own build, about the modules' own files and not the names it read them as.
function ownMessage(message, root, virtual) {
  const own = (text) => {
    for (const [as, real] of virtual) {
      const relative = path.relative(root, real).split(path.sep).join('/')
      text = text.split(as).join(relative).split(path.relative(root, as).split(path.sep).join('/')).join(relative)
    }
    return text.replace(/pyxle-(?:module|composed):/g, '')
  }
  const located = (location) => location && { ...location, file: own(location.file) }
  const text = own(message.text)
  const missing = text.match(/^The name "(.+)" never appears in "(.+)"$/)
  const detail = missing ? { hint: `compose a class that ${missing[2]} has, or add .${missing[1]} to it` } : message.detail
  return { ...message, text, detail, location: located(message.location),
    notes: (message.notes || []).map((note) => ({ ...note, text: own(note.text), location: located(note.location) })) }
}

// esbuild only warns of a CSS syntax error, and the browser then drops the rules it cannot parse.
// In the project's own stylesheets (not a package's) it is an error, shaped as a StyleError's, as
// PostCSS (0.9's Vite) reported it: an unclosed block at its "{". `*zoom: 1`, an old IE hack PostCSS
// accepted, stays a warning. `warnings` are esbuild's, their files relative to `root`.
export function cssSyntaxErrors(warnings, root) {
  const found = []
  for (const warning of warnings) {
    if (warning.id !== 'css-syntax-error' || !warning.location || /^Expected identifier but found "\*"/.test(warning.text)) continue
    const unclosed = /to go with "\{"/.test(warning.text) && warning.notes[0] && warning.notes[0].location
    const at = unclosed || warning.location
    const file = path.resolve(root, at.file.replace(/^pyxle-(?:css|page):/, '').replace(/\?pyxle-css$/, ''))
    if (!file.startsWith(root + path.sep) || file.split(path.sep).includes('node_modules')) continue
    const hint = unclosed ? 'add the "}" that closes this block: a browser drops the rules after it'
      : 'fix the CSS syntax: a browser drops the rules it cannot parse'
    found.push(...new StyleError(file, at.line, `CSS syntax error: ${warning.text}`, hint, ownColumn(at, readLines(file)[at.line - 1])).errors)
  }
  return found
}

// The 1-based column, in characters, of esbuild's location in the file's own line: a CSS module's
// class names are scoped in the text esbuild read, so there it is the same character's same occurrence.
function ownColumn({ lineText, column }, own) {
  const before = Buffer.from(lineText).subarray(0, column).toString('utf8')
  if (own === undefined || lineText === own) return [...before].length + 1
  const char = lineText[before.length]
  let index = -1
  for (let n = before.split(char).length - 1; n >= 0; n -= 1) index = own.indexOf(char, index + 1)
  return index < 0 ? null : [...own.slice(0, index)].length + 1
}
