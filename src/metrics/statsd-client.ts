import StatsDClient, { type StatsD } from 'hot-shots';
import type { LoadedConfig } from '../config/load-config';
import { getLogger } from '../logging/logger';

const log = getLogger('metrics');

/** The StatsD client of this process, when `metrics.statsd_on` (null: StatsD is off). */
let client: StatsD | null = null;

/**
 * Open (or, with statsd_on false, close) this process's StatsD client from `[metrics]`. UDP: a
 * StatsD server that is down or missing costs nothing but a logged error, never a scheduler stall.
 */
export function configureStatsd(config: Pick<LoadedConfig, 'metrics'>): void {
  closeStatsd();
  const { statsd_on, statsd_host, statsd_port, statsd_prefix } = config.metrics;
  if (!statsd_on) return;
  let reported = false;
  client = new StatsDClient({
    host: statsd_host,
    port: statsd_port,
    prefix: statsd_prefix ? `${statsd_prefix}.` : '',
    protocol: 'udp',
    errorHandler: (err) => {
      // One line per process, not one per metric: the same error would repeat on every send.
      if (!reported) log.warn(`StatsD at ${statsd_host}:${statsd_port}: ${err.message}`);
      reported = true;
    },
  });
}

/** Flush and close the StatsD client (scheduler shutdown). */
export function closeStatsd(): void {
  const open = client;
  client = null;
  open?.close();
}

export function statsd(): StatsD | null {
  return client;
}
