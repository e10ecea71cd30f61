// Which state of each thing a screen shows. The same change often arrives twice — the REST answer
// of the action and the push it caused, in either order — and a push may overtake an older one:
// drawing a state that is not newer than the one shown would wipe what the user is typing into
// the card (a position half-entered) or step the screen back in time.

export class Newest {
  constructor() { this.shown = new Map(); }

  /** Whether `updatedAt` (ISO) is newer than what is shown of `id`; if so it is now what is shown. */
  admit(id, updatedAt) {
    const at = Date.parse(updatedAt);
    const shown = this.shown.get(id);
    if (shown !== undefined && !(at > shown)) return false;
    this.shown.set(id, at);
    return true;
  }
}
