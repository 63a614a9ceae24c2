// How fast a channel may be sent to: a token bucket per channel, with two lanes. A reply (a message
// answering one just received, or a crisis alarm) takes the next free slot before any bulk send
// (reminders, check-ins, digests), so a person writing during a reminder burst is not kept waiting
// behind ten thousand reminders. Providers throttle above their rates (Twilio one a second per
// number, Slack about one a second per chat, Bot Framework per conversation); going slower than
// they would refuse keeps sends from failing into retries.

export type Lane = 'reply' | 'bulk';

export interface RateLimiterOptions {
  perSecond: number;
  /** Sends that may go at once after a quiet spell. */
  burst?: number;
  /** Monotonic milliseconds (tests: a fake). */
  now?: () => number;
  /** Waits (tests: moves the fake time on). */
  sleep?: (ms: number) => Promise<void>;
}

export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiting: Record<Lane, (() => void)[]> = { reply: [], bulk: [] };
  private pumping = false;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateLimiterOptions) {
    if (!(options.perSecond > 0)) throw new Error('a rate must be above zero');
    this.perMs = options.perSecond / 1000;
    this.burst = options.burst ?? Math.max(1, Math.ceil(options.perSecond));
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when a message in this lane may go. */
  take(lane: Lane): Promise<void> {
    return new Promise((resolve) => {
      this.waiting[lane].push(resolve);
      void this.pump();
    });
  }

  /** How many are waiting in each lane (for metrics). */
  get queued(): Record<Lane, number> {
    return { reply: this.waiting.reply.length, bulk: this.waiting.bulk.length };
  }

  private refill() {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
  }

  // One pump at a time hands out tokens, replies first, sleeping until the next token when none is left.
  private async pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (!this.waiting.reply.length && !this.waiting.bulk.length) return;
        this.refill();
        if (this.tokens < 1) {
          // Who goes is decided after the wait: a reply that came in meanwhile goes first.
          await this.sleep(Math.ceil((1 - this.tokens) / this.perMs));
          continue;
        }
        this.tokens -= 1;
        (this.waiting.reply.shift() ?? this.waiting.bulk.shift())!();
        // Let the released sender run before the next is released.
        await Promise.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
