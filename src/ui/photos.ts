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

/** How a screen gets a photo this device lacks: from the circle's members, while the network runs. */
export interface PhotoFetcher {
  /** Asks members for the photo; true once it is stored here. */
  fetch(hash: string, signal: AbortSignal): Promise<boolean>
  /** Called when the members that could be asked may have changed; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void
}

/** What photoFetcher needs of the network (CircleNetwork has it). */
export interface BlobNetwork {
  fetchBlob(circleId: string, hash: string, options: { signal?: AbortSignal }): Promise<{ ok: boolean }>
  subscribe(listener: () => void): () => void
}

/** The fetcher for one circle's photos; undefined while there is no network to fetch from. */
export function photoFetcher(network: BlobNetwork | undefined, circleId: string): PhotoFetcher | undefined {
  if (!network) return undefined
  return {
    fetch: async (hash, signal) => (await network.fetchBlob(circleId, hash, { signal })).ok,
    subscribe: (listener) => network.subscribe(listener),
  }
}

/**
 * `<img {@attach photo(circle, hash, fetcher)} />`: loads the photo from the circle and shows it
 * through an object URL, revoked when the image is removed or shows another photo. While the photo
 * is missing the image keeps `data-state="missing"`, so what is behind it shows, and the fetcher asks
 * members for it — again whenever the members connected change, until it comes (the fetcher keeps
 * that from asking the same member over and over).
 */
export function photo(circle: CircleHandle, hash: string, fetcher?: PhotoFetcher): Attachment<HTMLImageElement> {
  return (img) => {
    const controller = new AbortController()
    const { signal } = controller
    let url: string | undefined
    let fetching = false
    let unsubscribe = (): void => undefined
    img.dataset.state = 'loading'

    const show = async (): Promise<boolean> => {
      const found = await circle.getPhoto(hash).catch(() => undefined)
      if (signal.aborted || !found) return false
      url = URL.createObjectURL(new Blob([found.bytes as Uint8Array<ArrayBuffer>], { type: found.mime }))
      img.src = url
      img.dataset.state = 'loaded'
      return true
    }

    const fetchAndShow = async (): Promise<void> => {
      if (!fetcher || fetching || signal.aborted) return
      fetching = true
      try {
        if ((await fetcher.fetch(hash, signal)) && (await show())) unsubscribe()
      } catch {
        // Gone from the page, or the network stopped: the next change asks again.
      } finally {
        fetching = false
      }
    }

    void show().then((shown) => {
      if (shown || signal.aborted) return
      img.dataset.state = 'missing'
      if (!fetcher) return
      unsubscribe = fetcher.subscribe(() => void fetchAndShow())
      void fetchAndShow()
    })

    return () => {
      controller.abort()
      unsubscribe()
      if (url) URL.revokeObjectURL(url)
    }
  }
}
