/**
 * Why an invite could not be used, as an error the UI can name: `reason` is core's InviteRejectReason
 * (invite.ts), so screens word each case without reading the message.
 */
import type { InviteRejectReason } from '../core/invite'

export class InvalidInviteError extends Error {
  override name = 'InvalidInviteError'
  readonly reason: InviteRejectReason
  readonly detail: string | undefined

  constructor(reason: InviteRejectReason, detail?: string, message = `This invite cannot be used (${reason})`) {
    super(message)
    this.reason = reason
    this.detail = detail
  }
}
