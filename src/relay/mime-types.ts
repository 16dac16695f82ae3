/**
 * Content types by file extension for everything `vite build` and `public/` produce. Unknown
 * extensions are served as opaque bytes, which together with `nosniff` means a browser never guesses
 * a type and runs something as script.
 */

const TEXT = '; charset=utf-8'

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': `text/html${TEXT}`,
  '.js': `text/javascript${TEXT}`,
  '.mjs': `text/javascript${TEXT}`,
  '.css': `text/css${TEXT}`,
  '.json': `application/json${TEXT}`,
  '.map': `application/json${TEXT}`,
  '.webmanifest': `application/manifest+json${TEXT}`,
  '.txt': `text/plain${TEXT}`,
  '.xml': `application/xml${TEXT}`,
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
}

export const FALLBACK_MIME_TYPE = 'application/octet-stream'

/** The content type for a file name; `extension` is taken from the last dot of the last segment. */
export function mimeTypeOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  if (dot <= 0) return FALLBACK_MIME_TYPE
  return MIME_TYPES[base.slice(dot).toLowerCase()] ?? FALLBACK_MIME_TYPE
}
