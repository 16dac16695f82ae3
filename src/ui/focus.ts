/** Focus helpers shared by the screens. */
import type { Attachment } from 'svelte/attachments'

/**
 * On a screen's `<h1 tabindex="-1">`: a newly shown screen takes focus at its heading, so keyboard
 * and screen-reader users start reading the new screen instead of staying on a link that is gone.
 */
export const focusOnMount: Attachment<HTMLElement> = (element) => {
  element.focus({ preventScroll: true })
  window.scrollTo({ top: 0 })
}
