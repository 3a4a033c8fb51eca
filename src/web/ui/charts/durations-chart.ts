import { niceNumberTicks } from './time-axis';

export interface DurationSample {
  runId: string;
  logicalDate: Date;
  /** Seconds per task id; missing when the task did not run. */
  durations: Record<string, number | null>;
}

export interface DurationSeries {
  taskId: string;
  color: string;
  points: string;
  dots: Array<{ cx: number; cy: number; runId: string; seconds: number }>;
}

export interface DurationsChart {
  width: number;
  height: number;
  plot: { left: number; top: number; width: number; height: number };
  series: DurationSeries[];
  yTicks: Array<{ y: number; label: string }>;
  xLabels: Array<{ x: number; label: string }>;
}

/** Distinct colours for task lines; cycled when there are more tasks. */
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

function secondsLabel(value: number): string {
  if (value >= 3600) return `${(value / 3600).toFixed(1)}h`;
  if (value >= 60) return `${(value / 60).toFixed(1)}m`;
  return `${Number(value.toFixed(2))}s`;
}

/** A line per task: its duration in each of the recent runs (oldest left). */
export function buildDurationsChart(taskIds: string[], samples: DurationSample[]): DurationsChart {
  const plot = { left: 60, top: 16, width: 960, height: 260 };
  const max = Math.max(
    0,
    ...samples.flatMap((sample) => Object.values(sample.durations).filter((v): v is number => typeof v === 'number')),
  );
  const ticks = niceNumberTicks(max);
  const top = ticks[ticks.length - 1] || 1;
  const xOf = (index: number): number =>
    plot.left + (samples.length <= 1 ? plot.width / 2 : (index / (samples.length - 1)) * plot.width);
  const yOf = (seconds: number): number => plot.top + plot.height - (seconds / top) * plot.height;
  const series = taskIds.map((taskId, i) => {
    const dots = samples.flatMap((sample, index) => {
      const seconds = sample.durations[taskId];
      return typeof seconds === 'number' ? [{ cx: xOf(index), cy: yOf(seconds), runId: sample.runId, seconds }] : [];
    });
    return {
      taskId,
      color: PALETTE[i % PALETTE.length],
      points: dots.map((d) => `${d.cx.toFixed(1)},${d.cy.toFixed(1)}`).join(' '),
      dots,
    };
  });
  const every = Math.max(1, Math.ceil(samples.length / 8));
  return {
    // room for half of the last date label, which is centred on the last run
    width: plot.left + plot.width + 64,
    height: plot.top + plot.height + 40,
    plot,
    series,
    yTicks: ticks.map((value) => ({ y: yOf(value), label: secondsLabel(value) })),
    xLabels: samples.flatMap((sample, index) =>
      index % every === 0
        ? [{ x: xOf(index), label: sample.logicalDate.toISOString().slice(0, 16).replace('T', ' ') }]
        : [],
    ),
  };
}
