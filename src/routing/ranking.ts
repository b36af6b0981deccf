/** A member who could be offered a chat, as the ranking sees them. */
export interface Candidate {
  id: string;
  load: number;
  capacity: number;
  /** When they last took a chat; null: never, which makes them the longest idle. */
  lastAssignedAt: Date | null;
}

/**
 * Who is offered a chat first (issue: routing): the member who last served this customer when sticky routing is
 * on, then the least loaded, then the one idle longest. Members at capacity are left out.
 */
export function rankCandidates(candidates: Candidate[], stickyMemberId: string | null = null): Candidate[] {
  const idleSince = (c: Candidate) => c.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return candidates
    .filter((c) => c.load < c.capacity)
    .sort((a, b) => Number(b.id === stickyMemberId) - Number(a.id === stickyMemberId) || a.load - b.load || idleSince(a) - idleSince(b));
}
