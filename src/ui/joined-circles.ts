/**
 * The circles this browser joined from an invite. Until sync brings the other members, such a circle
 * holds only this member, and its empty shelf means "not connected yet", not "nobody offers anything".
 * Kept in localStorage beside the router's last circle: a hint for the empty state, nothing more.
 */
const KEY = 'sharecircle:joined-circles'
/**
 * Circles made in this browser: they carry the relay that served the app, like an invited circle, but
 * their empty shelf really is empty.
 */
const CREATED_KEY = 'sharecircle:created-circles'

export function rememberJoined(circleId: string): void {
  remember(KEY, circleId)
}

export function joinedCircles(): string[] {
  return read(KEY)
}

export function rememberCreated(circleId: string): void {
  remember(CREATED_KEY, circleId)
}

export function createdCircles(): string[] {
  return read(CREATED_KEY)
}

function remember(key: string, circleId: string): void {
  const known = read(key)
  if (known.includes(circleId)) return
  try {
    localStorage.setItem(key, JSON.stringify([...known, circleId]))
  } catch {
    // Private browsing may refuse storage; the empty state then says the usual thing.
  }
}

function read(key: string): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? '[]')
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}
