/** Typed context for the shared state classes: the app root, and the circle on screen. */
import { createContext } from 'svelte'
import type { AppState } from './app.svelte'
import type { CircleState } from './circle-view.svelte'

export const [getApp, setApp] = createContext<AppState>()
export const [getCircle, setCircle, hasCircle] = createContext<CircleState>()
