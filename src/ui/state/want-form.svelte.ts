/** The want editor's fields while a member types; the same pattern as OfferForm. */
import { checkWantDraft, normalizeWantDraft, type FieldErrors } from '../../core/validate'
import type { Want, WantDraft, WantKind, WantStatus } from '../../core/model'

export class WantForm {
  kind = $state<WantKind>('borrow')
  title = $state('')
  description = $state('')
  /** `<input type="date">` values; '' when not given. */
  neededFrom = $state('')
  neededTo = $state('')
  status = $state<WantStatus>('open')
  tried = $state(false)

  readonly raw: Record<string, unknown> = $derived({
    kind: this.kind,
    title: this.title,
    description: this.description,
    neededFrom: this.neededFrom,
    neededTo: this.neededTo,
    status: this.status,
  })
  readonly errors: FieldErrors = $derived(this.tried ? checkWantDraft(this.raw) : {})

  constructor(want?: Want) {
    if (!want) return
    this.kind = want.kind
    this.title = want.title
    this.description = want.description
    this.neededFrom = want.neededFrom ?? ''
    this.neededTo = want.neededTo ?? ''
    this.status = want.status
  }

  /** True when the form can be saved; otherwise marks it as tried, so that its errors show (as OfferForm). */
  validate(): boolean {
    const valid = Object.keys(checkWantDraft(this.raw)).length === 0
    if (!valid) this.tried = true
    return valid
  }

  toDraft(): WantDraft {
    return normalizeWantDraft(this.raw as WantDraft)
  }
}
