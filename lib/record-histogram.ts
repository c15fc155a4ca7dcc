/** A histogram whose buckets come whole from a query, for the records' end-to-end latency (lib/record-metrics.ts). */
import { Histogram } from 'prom-client';

/** End-to-end latency buckets, seconds: airtime and chain calls take seconds; a stuck one, hours. */
export const DURATION_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 21600];

/** Per kind: how many records fell in each of DURATION_BUCKETS (cumulative), their count and summed seconds. */
export type BucketRows = { kind: string; count: number; sum: number; buckets: number[] }[];

type HistogramData = Awaited<ReturnType<Histogram<'kind'>['get']>>;

/** A histogram whose buckets come whole from a query (prom-client's Histogram only takes one observation at a time). */
export class RecordHistogram extends Histogram<'kind'> {
  constructor(
    private readonly metric: { name: string; help: string },
    private readonly read: () => Promise<BucketRows>,
  ) {
    super({ ...metric, labelNames: ['kind'], buckets: DURATION_BUCKETS, registers: [] });
  }

  /** What the registry reads when it writes the text format (prom-client's own histograms have it too). */
  async getForPromString(): Promise<HistogramData> {
    return this.get();
  }

  override async get(): Promise<HistogramData> {
    const { name, help } = this.metric;
    const rows = await this.read();
    const values = rows.flatMap((row) => [
      ...DURATION_BUCKETS.map((le, i) => ({
        labels: { kind: row.kind, le },
        value: row.buckets[i]!,
        metricName: `${name}_bucket`,
      })),
      { labels: { kind: row.kind, le: '+Inf' }, value: row.count, metricName: `${name}_bucket` },
      { labels: { kind: row.kind }, value: row.sum, metricName: `${name}_sum` },
      { labels: { kind: row.kind }, value: row.count, metricName: `${name}_count` },
    ]);
    return { name, help, type: 'histogram', values, aggregator: 'sum' } as unknown as HistogramData;
  }
}
