/**
 * The current hash route, read reactively. `hashchange` is bridged with createSubscriber, so the
 * listener exists only while something on screen reads `current`.
 */
import { createSubscriber } from 'svelte/reactivity'
import { circleOf, href, parseRoute, type Route } from '../routes'

const LAST_CIRCLE_KEY = 'sharecircle:last-circle'

export class Router {
  readonly #subscribe: () => void
  #lastCircle: string | undefined

  constructor() {
    this.#lastCircle = readLastCircle()
    this.#remember(parseRoute(location.hash))
    this.#subscribe = createSubscriber((update) => {
      const onChange = () => {
        letGoOfFocus()
        this.#remember(parseRoute(location.hash))
        update()
      }
      window.addEventListener('hashchange', onChange)
      return () => window.removeEventListener('hashchange', onChange)
    })
  }

  get current(): Route {
    this.#subscribe()
    return parseRoute(location.hash)
  }

  /** The whole hash; a new screen mounts whenever it changes. */
  get hash(): string {
    this.#subscribe()
    return location.hash || '#/'
  }

  /** The circle most recently visited (survives reloads), for routes that name none. */
  get lastCircle(): string | undefined {
    this.#subscribe()
    return this.#lastCircle
  }

  /** Navigates and adds a history entry. */
  go(route: Route): void {
    location.hash = href(route)
  }

  /** Navigates in place of the current entry (after a save, so Back skips the finished form). */
  replace(route: Route): void {
    location.replace(href(route))
  }

  #remember(route: Route): void {
    const circleId = circleOf(route)
    if (circleId === undefined || circleId === this.#lastCircle) return
    this.#lastCircle = circleId
    try {
      localStorage.setItem(LAST_CIRCLE_KEY, circleId)
    } catch {
      // Private browsing may refuse storage; remembering the circle is only a convenience.
    }
  }
}

/**
 * A new screen is about to replace this one, and it takes focus at its heading as it mounts
 * (focusOnMount). Let go of the old focus first: removing the element that has focus (the save
 * button just pressed, the link just followed) makes Chromium recalculate style and layout at once,
 * in the middle of the swap, for the new screen as well — 3.6–10 ms for the offer editor → offer page,
 * against 0.2–0.6 ms for the same removal without focus.
 */
function letGoOfFocus(): void {
  const focused = document.activeElement
  if (focused instanceof HTMLElement && focused !== document.body) focused.blur()
}

function readLastCircle(): string | undefined {
  try {
    return localStorage.getItem(LAST_CIRCLE_KEY) ?? undefined
  } catch {
    return undefined
  }
}
