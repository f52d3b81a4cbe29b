// The mock's optional rate limit on creates (`--rate-limit N`): a token bucket per API key that
// holds N creates and refills N a second, so a client sees 429s the way it would from a gateway
// that meters its callers - some creates pass, the rest are told to come back later.

export interface RateLimiter {
  /** Takes one create's token for `owner`; false when the bucket is empty. */
  take(owner: string, now?: number): boolean;
}

export function createRateLimiter(perSecond: number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(owner, now = Date.now()) {
      const bucket = buckets.get(owner) ?? { tokens: perSecond, at: now };
      bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
      buckets.set(owner, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
