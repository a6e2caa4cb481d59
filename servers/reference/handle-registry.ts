/**
 * Every resume handle Gemini issued through this server, with the share token and the
 * conversation it was issued for (server-contract.md §2, "Accepting a resumeHandle"). A
 * handle is accepted only under the share token and conversation it was seen for: another
 * share token's handle MUST be refused (a security failure otherwise), another conversation's
 * SHOULD be, and this server refuses both. Whether a handle has expired is Gemini's to say.
 */
export interface HandleOwner {
  readonly shareToken: string;
  readonly conversationId: string;
}

export type HandleVerdict = 'accepted' | 'unknown' | 'other-share-token' | 'other-conversation';

export class HandleRegistry {
  private readonly owners = new Map<string, HandleOwner>();

  /** Gemini issued `handle` on an upstream of `owner`'s conversation. The first owner stays. */
  record(handle: string, owner: HandleOwner): void {
    if (handle.length === 0 || this.owners.has(handle)) return;
    this.owners.set(handle, { shareToken: owner.shareToken, conversationId: owner.conversationId });
  }

  check(handle: string, presenter: HandleOwner): HandleVerdict {
    const owner = this.owners.get(handle);
    if (!owner) return 'unknown';
    if (owner.shareToken !== presenter.shareToken) return 'other-share-token';
    if (owner.conversationId !== presenter.conversationId) return 'other-conversation';
    return 'accepted';
  }

  get size(): number {
    return this.owners.size;
  }
}
