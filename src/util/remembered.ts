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

/**
 * `work` with its last answer kept: for a value asked for again straight away (one message read
 * by several parts in turn). A string compared by identity costs nothing; hashing it into a Map
 * cost 7 % of a classification.
 */
export function rememberedLast<K, V>(work: (key: K) => V): (key: K) => V {
  let asked = false;
  let lastKey: K;
  let lastAnswer: V;
  return (key) => {
    if (asked && key === lastKey) return lastAnswer;
    const answer = work(key); // before it is kept: a throw keeps nothing
    asked = true;
    lastKey = key;
    return (lastAnswer = answer);
  };
}
