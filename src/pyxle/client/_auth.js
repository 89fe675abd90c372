// useAuth(): the signed-in user of an app running the pyxle-auth plugin, shared by every component.
// The server embeds the user of the request and the endpoint map (#pyxle-auth); the hook reads it
// after hydration (the server render and hydration both see "loading", so they always match). A
// stored page of a "shared" cache route names no user (it is served to everyone): the hook asks
// {prefix}/me instead. It talks to the plugin's endpoints: POST {prefix}/login, /signup and
// /logout, GET {prefix}/me (prefix /auth by default).
// Signing in or out changes what pages show, so it drops every page the router has cached.
import { useSyncExternalStore } from 'react'
import { postWithCsrf } from './_actions.js'
import { invalidate } from './_router.js'

const SERVER = Object.freeze({ user: null, isAuthenticated: false, loading: true, error: null })
const DEFAULT_ENDPOINTS = { me: '/auth/me', login: '/auth/login', signup: '/auth/signup', logout: '/auth/logout' }

let snapshot = null // null until first read in the browser
let endpoints = DEFAULT_ENDPOINTS
const listeners = new Set()

function set(next) {
  const merged = { ...current(), ...next }
  merged.isAuthenticated = merged.user != null
  snapshot = Object.freeze(merged)
  listeners.forEach((listener) => listener())
}

function current() {
  if (snapshot === null) {
    const seed = document.getElementById('pyxle-auth')
    if (seed) {
      const data = JSON.parse(seed.textContent)
      endpoints = { ...DEFAULT_ENDPOINTS, ...(data.endpoints || {}) }
      if ('user' in data) {
        snapshot = Object.freeze({ user: data.user || null, isAuthenticated: data.user != null, loading: false, error: null })
      } else {
        // A stored page served to signed-in visitors too: it names the endpoints, not the user.
        snapshot = SERVER
        queueMicrotask(() => refresh())
      }
    } else {
      // A page the server did not seed (an error page, say): ask the plugin once.
      snapshot = SERVER
      queueMicrotask(() => refresh())
    }
  }
  return snapshot
}

function subscribe(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

async function send(url, method, body) {
  const response = method === 'GET'
    ? await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    : await postWithCsrf(url, { headers: { accept: 'application/json', 'content-type': 'application/json' },
                                body: JSON.stringify(body) })
  try {
    return await response.json()
  } catch (error) {
    return { ok: false, error: `The server answered ${response.status}` }
  }
}

async function submit(kind, credentials) {
  set({ loading: true, error: null })
  const result = await send(endpoints[kind], 'POST', credentials)
  if (result.ok) {
    invalidate()
    set({ user: result.user || null, loading: false, error: null })
  }
  else set({ loading: false, error: result.error || 'Something went wrong' })
  return result
}

const login = (credentials) => submit('login', credentials)
const signup = (credentials) => submit('signup', credentials)

async function logout() {
  set({ loading: true, error: null })
  await send(endpoints.logout, 'POST', {})
  invalidate()
  set({ user: null, loading: false })
}

async function refresh() {
  const result = await send(endpoints.me, 'GET')
  set({ user: result.user || null, loading: false })
  return result.user || null
}

const actions = { login, signup, logout, refresh }

export function useAuth() {
  const state = useSyncExternalStore(subscribe, current, () => SERVER)
  return { ...state, ...actions }
}
