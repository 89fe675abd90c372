// Types for `pyxle/client`, the browser runtime of Pyxle pages.
import type {
  AnchorHTMLAttributes, CSSProperties, ForwardRefExoticComponent, FormEventHandler, FormHTMLAttributes,
  HTMLAttributeReferrerPolicy, ImgHTMLAttributes, ReactElement, ReactNode, Ref, RefAttributes, SyntheticEvent,
} from 'react'

/** Elements for the document head (title, meta, link...), from any layout or page. Page wins over layout.
 * A `ref` is accepted, as Pyxle 0.9 declared it; it stays null (nothing is rendered in place). */
export const Head: ForwardRefExoticComponent<{ children?: ReactNode } & RefAttributes<HTMLDivElement>>
/** Renders `fallback` on the server and during hydration, then `children` in the browser.
 * A `ref` is accepted, as Pyxle 0.9 declared it; it stays null (no element of its own). */
export const ClientOnly: ForwardRefExoticComponent<{ children?: ReactNode; fallback?: ReactNode } & RefAttributes<HTMLDivElement>>

/** What a layout or page exports as `slots[name]`: a component, or an element. */
export type SlotEntry<P = any> = ((props: P) => ReactNode) | ReactNode
/** Every slot provided: name -> entries, outermost layout first, the page last; the `slots` prop of pages and layouts. */
export type SlotRegistry = Record<string, SlotEntry[]>
export interface SlotProps<P = any> {
  name: string
  /** Props for the slot's components (other attributes are passed too). */
  props?: P
  /** Shown when nothing fills the slot: an element, or a component given `props`. */
  fallback?: ReactNode | ((props: P) => ReactNode)
  [attribute: string]: unknown
}
/** Renders every entry provided for `name` by the layouts and the page, or `fallback`. */
export function Slot<P = any>(props: SlotProps<P>): ReactElement | null
/** Provides slots to the tree below, over the layouts' and the page's (per name). */
export function SlotProvider(props: { slots?: Record<string, SlotEntry | SlotEntry[]> | null; children?: ReactNode }): ReactElement
/** Every slot provided to this part of the tree. */
export function useSlots(): SlotRegistry
/** The entries provided for `name`, or null. */
export function useSlot<P = any>(name: string): SlotEntry<P>[] | null

export interface NavigationOptions {
  /** Replace the current history entry instead of pushing one. */
  replace?: boolean
  /** true (default): to the top, or to the #hash; false or 'preserve': keep the scroll position. */
  scroll?: boolean | 'preserve'
  /** Accepted as in Pyxle 0.9; the page's loaders still run. */
  shallow?: boolean
  /** false: replace the current history entry, as `replace` does (as in Pyxle 0.9). */
  updateHistory?: boolean
  /** How old (ms) a prefetched payload may be and still be shown, for pages with loaders too. */
  prefetchTtl?: number
}

/** Next.js's URL object, formatted as Next.js's `formatUrl` does: `{ pathname: '/blog', query: { page: 5 },
 * hash: 'top' }` is `/blog?page=5#top`; an array value repeats its key; `search` wins over `query`. */
export interface UrlObject {
  pathname?: string | null
  query?: string | null | Record<string, string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>>
  search?: string | null
  hash?: string | null
  protocol?: string | null
  host?: string | null
  hostname?: string | null
  port?: string | number | null
  auth?: string | null
  slashes?: boolean | null
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  /** A path or URL, or Next.js's URL object (`{ pathname, query, hash }`). */
  href: string | UrlObject
  /** Prefetch on hover and when scrolled into view (default true). */
  prefetch?: boolean
  /** Let this link show data prefetched up to this many ms before the click. */
  prefetchTtl?: number
  /** Replace the current history entry instead of pushing one. */
  replace?: boolean
  /** true (default): to the top, or to the #hash; false or 'preserve': keep the scroll position. */
  scroll?: boolean | 'preserve'
  /** Accepted as in Pyxle 0.9; the page's loaders still run. */
  shallow?: boolean
  /** Accepted as in Pyxle 0.9 (the `<a>` always gets `href`). */
  passHref?: boolean
}
/** An `<a>` that navigates client-side; modifier clicks, targets, downloads and external URLs stay native. */
export const Link: ForwardRefExoticComponent<LinkProps & RefAttributes<HTMLAnchorElement>>
export default Link
/** The current path: the request's path during server rendering, then updated by client-side navigation. */
export function usePathname(): string

/** Where to navigate: a path or URL string, a `URL`, a `Location` (as in Pyxle 0.9), or Next.js's URL object. */
export type NavigationTarget = string | URL | Location | UrlObject
/** Navigate client-side; true once shown, false when the browser loads the page in full instead, or
 * when the target (or a redirect on the way) is a `javascript:`, `vbscript:` or `data:` URL, refused. */
export function navigate(path: NavigationTarget, options?: NavigationOptions): Promise<boolean>
/** Fetch a page's code and stylesheets (and its data, when reusable) ahead of time, at most two prefetches at a
 * time; true when it can then be shown client-side, false too when a navigation dropped or aborted it. */
export function prefetch(path: NavigationTarget, options?: { prefetchTtl?: number }): Promise<boolean>
/** Re-fetch the current page's data and re-render it (a full reload if that fails: then false). */
export function refresh(): Promise<boolean>
/** Drop the cached navigation data of `path`, or of every page; true if there was any. */
export function invalidate(path?: NavigationTarget): boolean
/** How long (ms, default 30000) prefetched data of pages without loaders stays fresh; how long (ms, default
 * 100) a navigation waits for its data before it shows the loading.pyxl of the page it goes to. */
export function configure(options: { prefetchTtl?: number; loadingDelay?: number; progress?: boolean }): void

export interface PyxleRouter {
  navigate: typeof navigate
  prefetch: typeof prefetch
  refresh: typeof refresh
  invalidate: typeof invalidate
}
/** The router once the page has hydrated; null on the server and before. */
export function getRouter(): PyxleRouter | null

/** Per-field validation errors (a 422): field -> messages. */
export type ActionFieldErrors = Record<string, string[]>

export type ActionResult<T = Record<string, unknown>> =
  | ({ ok: true; /** set when the action returned a redirect; the page is already navigating there */ redirect?: string
       /** The body of a 2xx `Response` the action returned itself without `ok` (its JSON, else its text; null when empty). */
       data?: unknown } & T)
  | { ok: false; error: string; fields: ActionFieldErrors | null
      /** The `ActionError`'s data; null when it has none (absent when the call never got an answer). */
      data?: Record<string, unknown> | null
      /** true when a newer call or the `signal` aborted this one (`error` is then 'Request aborted'). */
      aborted?: boolean
      /** The refusal's code: 'csrf_failed', or 'unknown_action' (the page was shown again as the server has it). */
      code?: string }

/** Field path (`"title"`, `"items.0.qty"`) -> messages, from a typed action body that failed validation. */
export type FieldErrors = ActionFieldErrors

/** What `error.pyxl` and `not-found.pyxl` are given as `data` (and as `error`, its name in earlier releases). */
export interface PageError {
  message: string
  statusCode: number
  data: Record<string, any>
  /** The error's kind: a `LoaderError`'s class name, `"ServerError"` for an unexpected server
   * error (`"LoaderCrashError"` or `"ComponentRenderError"` where it is shown: `pyxle dev`,
   * `debug`), or the name of an error thrown in the browser (`"TypeError"`); absent for a 404
   * and a loader's `HTTPException`. */
  type?: string
  /** `pyxle dev` only: the server's traceback. */
  stack?: string
}

/** The props of `error.pyxl` and `not-found.pyxl`. */
export interface ErrorPageProps {
  data: PageError
  error: PageError
  layoutData?: Record<string, any>
}

/** The `action` prop of a page re-rendered after a no-JS form post whose action failed (its fields, or an `ActionError`). */
export interface ActionProp {
  name: string
  ok: false
  error: string
  /** Per-field errors of a 422; `{}` for an action that failed otherwise (an `ActionError`). */
  fields: FieldErrors
  /** The submitted text fields, so inputs can keep what the user typed. */
  values: Record<string, string | string[]>
  /** An `ActionError`'s `data`, when it gave some. */
  data?: Record<string, unknown>
}

export interface FormProps extends Omit<FormHTMLAttributes<HTMLFormElement>, 'action' | 'onError'> {
  /** The `@action` name on the page. */
  action: string
  /** The page the action lives on (default: the current page), e.g. "blog/new", or a URL path such as "/blog/new". */
  pagePath?: string
  /** The action's result, without `ok`. */
  onSuccess?: (result: Record<string, any>) => void
  /** The error message, and the per-field errors of a 422 (else null). The message shows in the form either way. */
  onError?: (message: string, fields: ActionFieldErrors | null, result: ActionResult) => void
  /** Reset the form after a successful action (default true). */
  resetOnSuccess?: boolean
  /** The class of the inline error message (`<p role="alert" data-pyxle-form-error>`), in place of its red default. */
  errorClassName?: string
  /** Runs first; calling `event.preventDefault()` in it stops the action (a `confirm()`, say). */
  onSubmit?: FormEventHandler<HTMLFormElement>
}
/** A real `<form method="post">` to the page's action: works before hydration and without JavaScript. A `ref` reaches the `<form>`. */
export function Form(props: FormProps & { ref?: Ref<HTMLFormElement> }): ReactElement

export interface ActionFunction<P = any, T = Record<string, unknown>> {
  (payload?: P | FormData, options?: { signal?: AbortSignal }): Promise<ActionResult<T>>
  pending: boolean
  error: string | null
  /** Per-field errors of the last call (a 422), or null. */
  fields: ActionFieldErrors | null
  /** The last successful result, without `ok`. */
  data: T | null
}
/** Call an `@action`: resolves to `{ ok, ... }` and never throws; a new call aborts the one in flight. */
export function useAction<P = any, T = Record<string, unknown>>(
  name: string,
  options?: { pagePath?: string; onMutate?: (payload: P) => void },
): ActionFunction<P, T>

export interface ScriptProps {
  /** The script's URL; omit it to run `children` as inline code. */
  src?: string
  /** The inline code, when there is no `src`. */
  children?: string
  strategy?: 'beforeInteractive' | 'afterInteractive' | 'lazyOnload'
  integrity?: string
  crossOrigin?: 'anonymous' | 'use-credentials' | ''
  referrerPolicy?: HTMLAttributeReferrerPolicy
  /** type="module" */
  module?: boolean
  id?: string
  nonce?: string
  /** Once the script has loaded, for every mounted instance (the load event, when there is one). */
  onLoad?: (event?: Event) => void
  /** `Failed to load script: <src>`, for every mounted instance; `cause` is the error event. */
  onError?: (error: Error) => void
  [attribute: string]: unknown
}
/** A third-party or inline script, run once per document: in the head before hydration, after hydration (default), or when idle. */
export function Script(props: ScriptProps): ReactElement | null
/** This answer's Content-Security-Policy nonce, for a script the app adds itself; '' without such a policy. */
export function useNonce(): string

/** What an Image `loader` is asked for: a URL of `src` at `width` pixels. */
export interface ImageLoaderProps {
  src: string
  width: number
  quality?: number
}
export type ImageLoader = (props: ImageLoaderProps) => string
export type ImageState = 'loading' | 'loaded' | 'error'
/** What `onLoad` gets for an image that had loaded before the page hydrated. */
export interface ImageLoadedEarly {
  target: HTMLImageElement
  nativeEvent: null
  fromCache: true
}

interface ImageCommonProps extends Omit<ImgHTMLAttributes<HTMLImageElement>, 'src' | 'width' | 'height' | 'placeholder' | 'onLoad' | 'onError'> {
  src: string
  /** What the image shows, for screen readers; `""` marks it decorative (required, as Next.js's `alt`). */
  alt: string
  /** Load eagerly at high priority and preload from the head (for the largest image above the fold). */
  priority?: boolean
  /** false: load eagerly (`loading="eager"`). */
  lazy?: boolean
  /** Builds the URL of `src` at a width: the `<img>` gets a srcset of them. */
  loader?: ImageLoader
  /** Passed to the `loader` (1-100). */
  quality?: number
  /** CSS `object-fit` (default `cover` with `fill`). */
  objectFit?: CSSProperties['objectFit']
  /** 'blur': `blurDataURL`, blurred, behind the image while it loads (or else `placeholderColor`); the blur fades out once it has loaded. */
  placeholder?: 'empty' | 'blur'
  /** The image (a data URL, or any URL) shown blurred while a `placeholder="blur"` image loads. */
  blurDataURL?: string
  /** The background of a `placeholder="blur"` image without `blurDataURL` while it loads. Default '#e5e5e5'. */
  placeholderColor?: string
  /** Shown instead when `src` fails to load. */
  fallbackSrc?: string
  onLoad?: (event: SyntheticEvent<HTMLImageElement> | ImageLoadedEarly) => void
  onError?: (event: SyntheticEvent<HTMLImageElement> | ImageLoadedEarly) => void
}
export type ImageProps = ImageCommonProps & (
  | { fill?: false; width: number | string; height: number | string }
  | { /** Cover the nearest positioned parent instead of having a size. */ fill: true; width?: never; height?: never }
)
/** An `<img>` with dimensions (no layout shift), lazy by default; `data-pyxle-image-state` says how it loaded. */
export const Image: ForwardRefExoticComponent<ImageProps & RefAttributes<HTMLImageElement>>

export type WebSocketStatus = 'connecting' | 'open' | 'closed'
export interface WebSocketOptions<M = any> {
  /** Parse text messages as JSON (those that are not JSON stay strings). Default true. */
  json?: boolean
  /** Reconnect after a drop, with exponential backoff and jitter. Default true. */
  reconnect?: boolean
  /** Give up after this many reconnects in a row. Default Infinity (never). */
  maxRetries?: number
  /** The first delay before reconnecting, in ms (doubling up to maxDelay). Default 500. */
  minDelay?: number
  /** The longest delay between reconnects, in ms (each is jittered to between half and all of it). Default 30000. */
  maxDelay?: number
  /** Subprotocols, compared by value: an array written inline keeps one socket across renders. */
  protocols?: string | string[]
  /** false: no socket (yet). Default true. */
  enabled?: boolean
  onOpen?: (event: Event) => void
  /** Every message, in order (lastMessage holds only the latest after React batches renders). */
  onMessage?: (message: M, event: MessageEvent) => void
  onClose?: (event: CloseEvent) => void
}
export interface WebSocketHandle<M = any> {
  status: WebSocketStatus
  /** Strings and binary data as they are, anything else as JSON; false when the socket is not open. */
  send: (data: string | ArrayBufferLike | Blob | ArrayBufferView | object | number | boolean | null) => boolean
  lastMessage: M | null
  /** What went wrong (a socket error, a close other than 1000), as a message; null again once a socket opens. */
  error: string | null
  /** Reconnects tried since the socket was last open. */
  retries: number
}
/** A socket to `url` that reconnects; `M`, the messages' type, is `any` unless given, as `JSON.parse` gives. */
export function useWebSocket<M = any>(url: string | null, options?: WebSocketOptions<M>): WebSocketHandle<M>

/** The signed-in user as pyxle-auth describes it (never a password hash). */
export interface AuthUser {
  id: string
  email: string | null
  username?: string | null
  emailVerified: boolean
  plan: string
  createdAt: string
}
export interface AuthResult {
  ok: boolean
  user?: AuthUser | null
  error?: string
  code?: string
}
export interface UseAuthResult {
  /** The signed-in user, or null. */
  user: AuthUser | null
  isAuthenticated: boolean
  /** True during the server render and hydration, and while a request to the plugin is in flight. */
  loading: boolean
  /** The last error message from login or signup, or null. */
  error: string | null
  /** POST {prefix}/login with `{ email, password }` (or `{ username, password }`). */
  login(credentials: { password: string; email?: string; username?: string }): Promise<AuthResult>
  /** POST {prefix}/signup: creates the account and signs it in. */
  signup(credentials: { password: string; email?: string; username?: string }): Promise<AuthResult>
  /** POST {prefix}/logout. */
  logout(): Promise<void>
  /** GET {prefix}/me: the user as the server sees it now. */
  refresh(): Promise<AuthUser | null>
}
/** The signed-in user of an app using the pyxle-auth plugin, shared by every component. */
export function useAuth(): UseAuthResult
