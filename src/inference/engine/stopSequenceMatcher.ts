// Finds stop strings in streamed text and holds back any tail that could still become one,
// so a client never sees the beginning of a stop sequence.

export interface StopScan {
  /** Text that is safe to emit now. */
  emit: string;
  /** The stop string that ended generation, if one appeared. */
  matched?: string;
}

export class StopSequenceMatcher {
  private pending = "";

  constructor(private readonly stops: readonly string[]) {}

  push(text: string): StopScan {
    this.pending += text;
    let earliest: { index: number; stop: string } | undefined;
    for (const stop of this.stops) {
      const index = this.pending.indexOf(stop);
      if (index >= 0 && (earliest === undefined || index < earliest.index)) earliest = { index, stop };
    }
    if (earliest) {
      const emit = this.pending.slice(0, earliest.index);
      this.pending = "";
      return { emit, matched: earliest.stop };
    }
    const hold = this.longestSuffixThatStartsAStop();
    const emit = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return { emit };
  }

  /** The held-back text, once generation ended without a stop string completing. */
  flush(): string {
    const rest = this.pending;
    this.pending = "";
    return rest;
  }

  private longestSuffixThatStartsAStop(): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.pending.length); length > longest; length--) {
        if (this.pending.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
