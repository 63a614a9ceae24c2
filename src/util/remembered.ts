/**
 * `work` with its answers kept, up to `limit` of them, then all forgotten at once: cheaper than an
 * LRU, and the keys that matter come back within moments. In this process only.
 */
export function remembered<K, V>(work: (key: K) => V, limit: number): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    const known = answers.get(key);
    if (known !== undefined || answers.has(key)) return known as V;
    if (answers.size >= limit) answers.clear();
    const answer = work(key);
    answers.set(key, answer);
    return answer;
  };
}
