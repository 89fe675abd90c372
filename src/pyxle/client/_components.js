// Slots (Slot, SlotProvider, useSlot, useSlots) and ClientOnly.
import { createElement as h, Fragment, isValidElement, useContext, useEffect, useState } from 'react'
import { SlotContext } from './_context.js'

const layers = new WeakMap() // module -> the slots it exports, read once per module

function slotsOf(mod) {
  let slots = layers.get(mod)
  if (!slots) {
    const raw = typeof mod.createSlots === 'function' ? mod.createSlots() : mod.slots
    slots = raw && typeof raw === 'object' ? raw : {}
    layers.set(mod, slots)
  }
  return slots
}

// name -> entries: what each layout (outermost first) and then the page exports as `slots`
// (or returns from `createSlots()`).
export function slotRegistry(modules) {
  const registry = {}
  for (const mod of modules) {
    for (const [name, entry] of Object.entries(slotsOf(mod))) {
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
