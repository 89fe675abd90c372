// Slots (Slot, SlotProvider, useSlot, useSlots) and ClientOnly.
import { cloneElement, createElement as h, Fragment, isValidElement, useContext, useEffect, useState } from 'react'
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
// `sources`: [owner, module] pairs, owner the layout's file or the page's id, kept beside each
// name's entries (see entryKey).
export function slotRegistry(sources, props) {
  const registry = {}
  for (const [owner, mod] of sources) {
    for (const [name, entry] of Object.entries(slotsOf(mod, props))) {
      if (entry == null) continue
      if (!registry[name]) owners.set((registry[name] = []), [])
      registry[name].push(entry)
      owners.get(registry[name]).push(owner)
    }
  }
  return registry
}

const owners = new WeakMap() // a name's entries (the array) -> the owner of each
const codes = new Map() // a function's source text -> a short id, for keys

// Who gave the entry and, for a function, what its code is: React then treats it as the same
// component across renders even when `createSlots` (called at every render) makes a new function
// each time, so it keeps its state across navigations as the layout does; it is mounted anew when
// another module gives it (another page) or its code differs (another component in that place).
function entryKey(entry, entries, index) {
  const owner = (owners.get(entries) || [])[index] || ''
  if (typeof entry !== 'function' || refreshed(entry)) return `${index}:${owner}`
  const code = Function.prototype.toString.call(entry)
  if (!codes.has(code)) codes.set(code, codes.size)
  return `${index}:${owner}:${codes.get(code)}`
}

// A function entry, called here: its hooks are this component's, whose identity does not change
// with the function's (React would remount a component type that is new at each render).
function SlotEntry({ entry, args }) {
  return entry(entry.defaultProps ? { ...entry.defaultProps, ...args } : args)
}

function isClass(entry) {
  return Boolean(entry.prototype && entry.prototype.isReactComponent)
}

// In `pyxle dev`, a component Fast Refresh knows (one the module declares): rendered as itself, so
// an edit swaps it in place, state kept, or remounts it when its hooks changed.
function refreshed(entry) {
  const refresh = typeof window === 'undefined' ? undefined : window.__pyxleRefresh
  return Boolean(refresh && refresh.family && refresh.family(entry))
}

function render(entry, props, key) {
  if (typeof entry !== 'function') return isValidElement(entry) ? cloneElement(entry, { key }) : h(Fragment, { key }, entry)
  if (isClass(entry) || refreshed(entry)) return h(entry, { ...props, key })
  return h(SlotEntry, { key, entry, args: props })
}

// <Slot name="header" props={{...}} fallback={...} />: every entry provided for `name` (a
// component gets `props`, plus any other attribute), else `fallback` (an element, or a component).
// Always a keyed list, so an entry stays mounted when a page adds its own after it.
export function Slot({ name, fallback = null, props, ...rest }) {
  const entries = useContext(SlotContext)[name]
  const args = props ? { ...rest, ...props } : rest
  if (!entries || entries.length === 0) {
    return typeof fallback === 'function' ? render(fallback, args, entryKey(fallback, [], 'fallback')) : fallback
  }
  return entries.map((entry, i) => render(entry, args, entryKey(entry, entries, i)))
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
