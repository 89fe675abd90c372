// Page code sees only PYXLE_PUBLIC_* and NODE_ENV in process.env (build.mjs envObjects), in the
// browser and in SSR alike: any other `process.env.NAME` is undefined there, without a word. A
// port from Next.js reads NEXT_PUBLIC_*, so build.mjs and check.mjs find such reads as they load a
// page or a project module, and Python warns of each name once (pyxle.bundler.env_read_warnings).
// A warning, not an error: code under a typeof guard may run on a server that has the variable.
const READ = /\bprocess\s*\.\s*env\s*\.\s*([A-Za-z_$][\w$]*)/g

const exposed = (name) => name === 'NODE_ENV' || name.startsWith('PYXLE_PUBLIC_')

// [{file, line, column, name}] (1-based), the reads of names page code never sees; none in a
// `//` comment. Cheap for the modules that read nothing: one substring test.
export function hiddenEnvReads(file, code) {
  if (!code.includes('process')) return []
  const found = []
  const lines = code.split('\n')
  lines.forEach((text, i) => {
    for (const m of text.matchAll(READ)) {
      const comment = text.indexOf('//')
      if (exposed(m[1]) || (comment !== -1 && comment < m.index)) continue
      found.push({ file, line: i + 1, column: [...text.slice(0, m.index)].length + 1, name: m[1] })
    }
  })
  return found
}
