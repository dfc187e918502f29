// The commands a test gives one generation of the scripted fake engine (see scriptedEngine.ts),
// delivered in order: those sent before the generation asks wait for it.

/** Where a generation waits: at the end of its prompt evaluation, or before its next token. */
export type ScriptPhase = "prompt" | "tokens";

export type ScriptCommand = { kind: "promptDone" } | { kind: "emit"; text: string } | { kind: "finish" };

export class GenerationScript {
  private readonly commands: ScriptCommand[] = [];
  private taker?: { phase: ScriptPhase; take: (command: ScriptCommand) => void };
  private readonly watchers: { phase: ScriptPhase; resolve: () => void; reject: (error: Error) => void }[] =
    [];
  private endedBy?: Error;

  send(command: ScriptCommand): void {
    const taker = this.taker;
    this.taker = undefined;
    if (taker) taker.take(command);
    else this.commands.push(command);
  }

  /** The next command; undefined once `signal` has aborted (at once when it already has). */
  take(phase: ScriptPhase, signal: AbortSignal): Promise<ScriptCommand | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const buffered = this.commands.shift();
    if (buffered) return Promise.resolve(buffered);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.taker = undefined;
        resolve(undefined);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.taker = {
        phase,
        take: (command) => {
          signal.removeEventListener("abort", onAbort);
          resolve(command);
        },
      };
      for (const watcher of this.watchers.filter((candidate) => candidate.phase === phase)) {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    });
  }

  /**
   * Resolves once the generation waits in `phase` with no command left to take; rejects when it
   * ends without doing so (so a test that waits for it fails at once instead of hanging).
   */
  waitingIn(phase: ScriptPhase): Promise<void> {
    if (this.taker?.phase === phase) return Promise.resolve();
    if (this.endedBy) return Promise.reject(this.endedBy);
    return new Promise((resolve, reject) => this.watchers.push({ phase, resolve, reject }));
  }

  /** The generation ended (`error`: it failed): whoever still waits for it to wait is told. */
  end(id: string, error?: unknown): void {
    this.endedBy = new Error(`scripted engine: generation '${id}' ended`, { cause: error });
    for (const watcher of this.watchers.splice(0)) watcher.reject(this.endedBy);
  }
}
