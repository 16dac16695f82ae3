/**
 * The circles this browser joined from an invite. Until sync brings the other members, such a circle
 * holds only this member, and its empty shelf means "not connected yet", not "nobody offers anything".
 * Kept in localStorage beside the router's last circle: a hint for the empty state, nothing more.
 */
const KEY = 'sharecircle:joined-circles'

export function rememberJoined(circleId: string): void {
  const known = joinedCircles()
  if (known.includes(circleId)) return
  try {
    localStorage.setItem(KEY, JSON.stringify([...known, circleId]))
  } catch {
    // Private browsing may refuse storage; the empty state then says the usual thing.
  }
}

export function joinedCircles(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}
