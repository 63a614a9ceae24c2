// A minimal counter registry exposed at GET /metrics in Prometheus' text format.
type Labels = Record<string, string>;

class Metrics {
  private counters = new Map<string, Map<string, number>>();

  count(name: string, labels: Labels = {}, by = 1): void {
    const series = this.counters.get(name) ?? new Map<string, number>();
    const key = Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
      .join(',');
    series.set(key, (series.get(key) ?? 0) + by);
    this.counters.set(name, series);
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.counters) {
      lines.push(`# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    }
    return lines.join('\n') + '\n';
  }
}

export const metrics = new Metrics();
