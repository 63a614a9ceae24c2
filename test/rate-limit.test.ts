// The per-channel rate limit, on a fake clock: the burst goes at once, then one per interval, and
// a reply overtakes bulk sends that were waiting before it.
import { describe, expect, it } from 'vitest';
import { RateLimiter, type Lane } from '../src/outbox/rate-limit.js';

function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    at: () => t,
  };
}

describe('rate limit', () => {
  it('lets a burst go at once, then paces to the rate', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ perSecond: 2, burst: 2, now: time.now, sleep: time.sleep });
    const went: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.take('bulk').then(() => went.push(time.at()))));
    expect(went).toEqual([0, 0, 500, 1000, 1500]);
  });

  it('a reply takes the next slot before bulk sends that were already waiting', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, now: time.now, sleep: time.sleep });
    const order: string[] = [];
    const send = (lane: Lane, name: string) => limiter.take(lane).then(() => order.push(name));
    const all = [send('bulk', 'reminder 1'), send('bulk', 'reminder 2'), send('bulk', 'reminder 3')];
    // Written while the reminders wait their turn.
    await Promise.resolve();
    all.push(send('reply', 'reply'));
    await Promise.all(all);
    expect(order).toEqual(['reminder 1', 'reply', 'reminder 2', 'reminder 3']);
  });

  it('refuses a rate that is not above zero', () => {
    expect(() => new RateLimiter({ perSecond: 0 })).toThrow(/above zero/);
  });
});
