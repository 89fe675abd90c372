// The render ceiling: the same SSR bundle's render() in a bare Node loop, no I/O.
//   node _render_ceiling.mjs ssr.mjs request.json seconds
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const bundle = await import(pathToFileURL(process.argv[2]).href)
const request = JSON.parse(readFileSync(process.argv[3], 'utf8'))
const seconds = Number(process.argv[4] || 5)
for (let i = 0; i < 200; i++) bundle.render(request) // warm-up
let n = 0
const end = performance.now() + seconds * 1000
while (performance.now() < end) {
  bundle.render(request)
  n++
}
console.log(JSON.stringify({ rendersPerSecond: n / seconds }))
