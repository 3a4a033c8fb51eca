import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  node: string;
  platform: string;
  kernel: string;
}

/** The machine the figures come from, read from /proc where it exists. */
export function describeMachine(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  let cores = os.cpus().length;
  let ramGiB = os.totalmem() / 2 ** 30;
  try {
    const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpuModel;
    cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || cores;
    const kb = Number(/^MemTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    if (kb > 0) ramGiB = kb / 2 ** 20;
  } catch {
    // Not Linux: os module values stay.
  }
  return {
    cpuModel,
    cores,
    ramGiB: Math.round(ramGiB * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}

/** 1-minute load average when the run started: shows whether others were using the machine. */
export function loadAverage(): number[] {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}
