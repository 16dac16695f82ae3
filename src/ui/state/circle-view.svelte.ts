/**
 * One open circle as the screens see it: the handle for writing, the live read model, and the
 * catalogue's query (kept here so it survives a visit to an offer and back).
 */
import { createSubscriber } from 'svelte/reactivity'
import type { AttestationSigner } from '../../circle/attestations'
import type { CircleReplica } from '../../circle/replica'
import type { CircleHandle, CircleView } from '../../circle/types'
import type { MemberId } from '../../core/model'
import { CatalogueQuery } from './catalogue-query.svelte'
import { whenIdle } from '../../core/schedule'
import { TrustState } from './trust.svelte'

/** The circle's read model; a new object after every local or received change. */
export class CircleViewState {
  readonly #circle: CircleHandle
  readonly #subscribe: () => void
  readonly #subscribeIdle: () => void

  constructor(circle: CircleHandle) {
    this.#circle = circle
    this.#subscribe = createSubscriber((update) => circle.subscribe(update))
    this.#subscribeIdle = createSubscriber((update) => {
      let pending = false
      return circle.subscribe(() => {
        if (pending) return
        pending = true
        whenIdle(() => {
          pending = false
          update()
        })
      })
    })
  }

  /** The view; whatever reads it runs again right after every change: for what is on screen. */
  get current(): CircleView {
    this.#subscribe()
    return this.#circle.view()
  }

  /**
   * The same view, but whatever reads it runs again only once the browser is idle after a change
   * (once for several): for background work — reminders, auto-accept, badges — so that it never
   * holds up the screen showing the change.
   */
  get idle(): CircleView {
    this.#subscribeIdle()
    return this.#circle.view()
  }
}

export class CircleState {
  readonly handle: CircleHandle
  readonly view: CircleViewState
  readonly query = new CatalogueQuery()
  readonly trust: TrustState

  constructor(handle: CircleReplica, signer: AttestationSigner, inviter: MemberId | undefined) {
    this.handle = handle
    this.view = new CircleViewState(handle)
    this.trust = new TrustState(handle, signer, inviter)
  }

  get id(): string {
    return this.handle.id
  }

  get me(): string {
    return this.handle.me
  }
}
