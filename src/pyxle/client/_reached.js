// Whether each loading.pyxl boundary of a page rendered its content, told from the markup of the
// render itself, and that markup without the markers that tell it.
//
// On the server, the content of each loading.pyxl boundary starts with a marker element, and so
// does its fallback (Marker in client/_tree.js). React writes a boundary's content,
// or only its fallback when its content failed: markup that lacks a content marker is that of a
// render in which a loading.pyxl boundary failed, and that boundary holds the whole page. Rendered
// once, the digest React wrote just before a fallback's marker is that of the error the boundary
// caught (the page's, or the render timeout's), on React 18 and 19 alike.
import { randomBytes } from 'node:crypto'
import { FALLBACK, REACHED } from './_tree.js'

// A mark of one render's own: the page's markup cannot hold it by chance.
export function newMark() {
  return randomBytes(8).toString('hex')
}

const markerOf = (mark, name = REACHED) => `<template ${name}="${mark}"></template>`

// How many loading.pyxl boundaries rendered their content in `html`, the whole markup of a render.
export function reachedIn(html, mark) {
  return html.split(markerOf(mark)).length - 1
}

// The digests of the loading.pyxl boundaries whose fallback `html` holds in their place: React
// writes such a boundary as `<!--$!--><template data-dgst="..."></template>` then its fallback.
export function fallenIn(html, mark) {
  const marker = markerOf(mark, FALLBACK)
  return html.split(marker).slice(0, -1).map((before) => {
    const found = /<template data-dgst="([^"]*)"[^>]*><\/template>$/.exec(before)
    return found ? found[1] : null
  })
}

// A function taking a render's markup piece by piece and returning it without the markers: the end
// of a piece that may begin a marker is held back and returned with the next piece (`last`: the last
// piece, returned whole).
export function stripper(mark) {
  const markers = [markerOf(mark), markerOf(mark, FALLBACK)]
  let held = ''
  return (text, last = false) => {
    let out = held + text
    for (const marker of markers) out = out.split(marker).join('')
    held = ''
    if (last) return out
    for (let k = Math.min(out.length, markers[1].length - 1); k > 0; k--) { // the longer one
      const end = out.slice(-k)
      if (markers.some((marker) => marker.startsWith(end))) {
        held = end
        out = out.slice(0, -k)
        break
      }
    }
    return out
  }
}
