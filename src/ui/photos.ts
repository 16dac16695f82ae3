/**
 * Photos in the browser: shrink a picked file before it is stored (≤ 1024 px on the long side, WebP,
 * JPEG where the browser cannot encode WebP), and show a stored photo through an object URL that is
 * revoked when its image leaves the page.
 */
import type { Attachment } from 'svelte/attachments'
import type { CircleHandle } from '../circle/types'

export const MAX_PHOTO_SIDE = 1024
const QUALITY = 0.8

export class PhotoUnreadableError extends Error {
  override name = 'PhotoUnreadableError'
  constructor(message = 'This image could not be decoded') {
    super(message)
  }
}

export interface ResizedPhoto {
  bytes: Uint8Array
  mime: string
}

export async function resizePhoto(file: Blob, maxSide = MAX_PHOTO_SIDE): Promise<ResizedPhoto> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  } catch {
    throw new PhotoUnreadableError()
  }
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height))
    const width = Math.max(1, Math.round(bitmap.width * scale))
    const height = Math.max(1, Math.round(bitmap.height * scale))
    const blob = await encode(bitmap, width, height)
    return { bytes: new Uint8Array(await blob.arrayBuffer()), mime: blob.type }
  } finally {
    bitmap.close()
  }
}

/** WebP first; a browser that cannot encode it hands back PNG, and then JPEG is smaller. */
async function encode(bitmap: ImageBitmap, width: number, height: number): Promise<Blob> {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height)
    const webp = await draw(canvas, bitmap, width, height, false).convertToBlob({ type: 'image/webp', quality: QUALITY })
    if (webp.type === 'image/webp') return webp
    return draw(canvas, bitmap, width, height, true).convertToBlob({ type: 'image/jpeg', quality: QUALITY })
  }
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const webp = await toBlob(draw(canvas, bitmap, width, height, false), 'image/webp')
  if (webp.type === 'image/webp') return webp
  return toBlob(draw(canvas, bitmap, width, height, true), 'image/jpeg')
}

function draw<C extends OffscreenCanvas | HTMLCanvasElement>(canvas: C, bitmap: ImageBitmap, width: number, height: number, opaque: boolean): C {
  const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null
  if (!context) throw new PhotoUnreadableError('No 2D canvas in this browser')
  context.clearRect(0, 0, width, height)
  if (opaque) {
    // JPEG has no transparency; without this a transparent PNG turns black.
    context.fillStyle = '#ffffff'
    context.fillRect(0, 0, width, height)
  }
  context.imageSmoothingQuality = 'high'
  context.drawImage(bitmap, 0, 0, width, height)
  return canvas
}

function toBlob(canvas: HTMLCanvasElement, type: string): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new PhotoUnreadableError('Encoding failed'))), type, QUALITY),
  )
}

/**
 * `<img {@attach photo(circle, hash)} />`: loads the photo from the circle and shows it through an
 * object URL, revoked when the image is removed or shows another photo. While the photo is missing
 * (not yet fetched from a peer) the image keeps `data-state="missing"`, so what is behind it shows.
 */
export function photo(circle: CircleHandle, hash: string): Attachment<HTMLImageElement> {
  return (img) => {
    let url: string | undefined
    let gone = false
    img.dataset.state = 'loading'
    circle.getPhoto(hash).then(
      (found) => {
        if (gone) return
        if (!found) {
          img.dataset.state = 'missing'
          return
        }
        url = URL.createObjectURL(new Blob([found.bytes as Uint8Array<ArrayBuffer>], { type: found.mime }))
        img.src = url
        img.dataset.state = 'loaded'
      },
      () => {
        if (!gone) img.dataset.state = 'missing'
      },
    )
    return () => {
      gone = true
      if (url) URL.revokeObjectURL(url)
    }
  }
}
