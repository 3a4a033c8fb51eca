import { niceStep } from './time-axis';

export interface GanttInput {
  taskId: string;
  state: string | null;
  tryNumber: number;
  startDate: Date | null;
  endDate: Date | null;
}

export interface GanttBar {
  taskId: string;
  state: string;
  tryNumber: number;
  x: number;
  y: number;
  width: number;
  durationSeconds: number;
  start: Date;
  end: Date | null;
}

export interface GanttLayout {
  width: number;
  height: number;
  labelWidth: number;
  rowHeight: number;
  bars: GanttBar[];
  /** Tasks that have not started, listed under the chart. */
  notStarted: string[];
  ticks: Array<{ x: number; label: string }>;
}

const ROW = 26;
const CHART_WIDTH = 900;
/** Room right of the axis for half of the last tick's label (text-anchor middle). */
const RIGHT_MARGIN = 40;

/** Bars of one run's task instances on a shared time axis; a running task extends to `now`. */
export function layoutGantt(rows: GanttInput[], now: Date): GanttLayout {
  const started = rows.filter((row) => row.startDate !== null);
  const labelWidth = Math.min(260, Math.max(120, ...rows.map((row) => row.taskId.length * 7.2 + 16)));
  const notStarted = rows.filter((row) => row.startDate === null).map((row) => row.taskId);
  if (started.length === 0)
    return { width: labelWidth + CHART_WIDTH, height: 40, labelWidth, rowHeight: ROW, bars: [], notStarted, ticks: [] };
  const begin = Math.min(...started.map((row) => row.startDate!.getTime()));
  const finish = Math.max(...started.map((row) => (row.endDate ?? now).getTime()), begin + 1000);
  const span = finish - begin;
  const scale = CHART_WIDTH / span;
  const bars = started.map((row, index) => {
    const start = row.startDate!.getTime();
    const end = (row.endDate ?? now).getTime();
    return {
      taskId: row.taskId,
      state: row.state ?? 'none',
      tryNumber: row.tryNumber,
      x: labelWidth + (start - begin) * scale,
      y: 30 + index * ROW,
      width: Math.max(2, (end - start) * scale),
      durationSeconds: Math.max(0, (end - start) / 1000),
      start: row.startDate!,
      end: row.endDate,
    };
  });
  const step = niceStep(span);
  const ticks: Array<{ x: number; label: string }> = [];
  for (let t = 0; t <= span; t += step) {
    ticks.push({ x: labelWidth + t * scale, label: new Date(begin + t).toISOString().slice(11, 19) });
  }
  return {
    width: labelWidth + CHART_WIDTH + RIGHT_MARGIN,
    height: 40 + bars.length * ROW,
    labelWidth,
    rowHeight: ROW,
    bars,
    notStarted,
    ticks,
  };
}
