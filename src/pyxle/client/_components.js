// Slots (Slot, SlotProvider, useSlot, useSlots) and ClientOnly.
import { createElement as h, Fragment, isValidElement, useContext, useEffect, useState } from 'react'
import { SlotContext } from './_context.js'

const exported = new WeakMap() // module -> its `slots` export, read once per module

// A module's slots: what `createSlots(props)` returns, called at every render of the page (its
// result depends on the props, as in Pyxle 0.3 to 0.9), else the `slots` export.
function slotsOf(mod, props) {
  if (typeof mod.createSlots === 'function') return asSlots(mod.createSlots(props))
  let slots = exported.get(mod)
  if (!slots) exported.set(mod, (slots = asSlots(mod.slots)))
  return slots
}

function asSlots(raw) {
  return raw && typeof raw === 'object' ? raw : {}
}

// name -> entries: what each layout (outermost first) and then the page exports as `slots` (or
// returns from `createSlots(props)`, `props` the page's, whichever module's it is, as in 0.3-0.9).
export function slotRegistry(modules, props) {
  const registry = {}
  for (const mod of modules) {
    for (const [name, entry] of Object.entries(slotsOf(mod, props))) {
      if (entry != null) (registry[name] = registry[name] || []).push(entry)
    }
  }
  return registry
}

function render(entry, props, key) {
  if (typeof entry === 'function') return h(entry, { ...props, key })
  return isValidElement(entry) && key === undefined ? entry : h(Fragment, { key }, entry)
}

// <Slot name="header" props={{...}} fallback={...} />: every entry provided for `name` (a
// component gets `props`, plus any other attribute), else `fallback` (an element, or a component).
export function Slot({ name, fallback = null, props, ...rest }) {
  const entries = useContext(SlotContext)[name]
  const args = props ? { ...rest, ...props } : rest
  if (!entries || entries.length === 0) return typeof fallback === 'function' ? h(fallback, args) : fallback
  if (entries.length === 1) return render(entries[0], args)
  return h(Fragment, null, ...entries.map((entry, key) => render(entry, args, key)))
}

// Provides slots to the tree below, over those from layouts and the page (per name).
export function SlotProvider({ slots, children }) {
  const parent = useContext(SlotContext)
  const value = { ...parent }
  for (const [name, entry] of Object.entries(slots || {})) value[name] = [].concat(entry).filter((e) => e != null)
  return h(SlotContext.Provider, { value }, children)
}

export function useSlots() {
  return useContext(SlotContext)
}

export function useSlot(name) {
  return useContext(SlotContext)[name] || null
}

// <ClientOnly fallback={...}>: the fallback on the server and during hydration, then children.
export function ClientOnly({ children, fallback = null }) {
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  return mounted ? h(Fragment, null, children) : fallback
}
