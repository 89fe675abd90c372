// Whether each loading.pyxl boundary of a page rendered its content, told from the markup of the
// render itself, and that markup without the markers that tell it.
//
// On the server, the content of each loading.pyxl boundary starts with a marker element (Reached in
// client/_tree.js). React writes a boundary's content, or only its fallback when its content
// failed: markup that lacks a marker is that of a render in which a loading.pyxl boundary failed,
// and that boundary holds the whole page. Rendered once, whichever boundary caught an error (one of
// the page's own, or loading.pyxl's) shows in what React wrote, on React 18 and 19 alike.
import { randomBytes } from 'node:crypto'
import { REACHED } from './_tree.js'

// A mark of one render's own: the page's markup cannot hold it by chance.
export function newMark() {
  return randomBytes(8).toString('hex')
}

const markerOf = (mark) => `<template ${REACHED}="${mark}"></template>`

// How many loading.pyxl boundaries rendered their content in `html`, the whole markup of a render.
export function reachedIn(html, mark) {
  return html.split(markerOf(mark)).length - 1
}

// A function taking a render's markup piece by piece and returning it without the markers: the end
// of a piece that may begin a marker is held back and returned with the next piece (`last`: the last
// piece, returned whole).
export function stripper(mark) {
  const marker = markerOf(mark)
  let held = ''
  return (text, last = false) => {
    let out = (held + text).split(marker).join('')
    held = ''
    if (last) return out
    for (let k = Math.min(out.length, marker.length - 1); k > 0; k--) {
      if (marker.startsWith(out.slice(-k))) {
        held = out.slice(-k)
        out = out.slice(0, -k)
        break
      }
    }
    return out
  }
}
