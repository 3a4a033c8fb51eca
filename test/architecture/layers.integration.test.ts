import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tiers } from '../../config/architecture/layers.json';
import { cruiseSrc, describeViolation, REPO } from './run-cruise';

/**
 * The layers of docs/ARCHITECTURE.md, enforced: src/ imports only down the layers of
 * config/architecture/layers.json (static, type-only, dynamic and require() imports alike) and
 * has no import cycle, checked by dependency-cruiser with config/architecture/dependency-cruiser.cjs.
 */
describe('architecture: layers', () => {
  it('src/ imports only down the layers and has no import cycle', () => {
    const { modules, violations } = cruiseSrc(REPO);
    expect(violations.map(describeViolation)).toEqual([]);
    expect(modules).toBeGreaterThan(200); // it did read the tree
  });

  it('every folder and file directly under src/ belongs to exactly one layer', () => {
    const layers = tiers.flat();
    expect(new Set(layers).size).toBe(layers.length);
    const entries = fs
      .readdirSync(path.join(REPO, 'src'), { withFileTypes: true })
      .map((entry) => entry.name)
      .sort();
    expect(entries).toEqual([...layers].sort());
  });

  describe('the check itself (a planted violation fails it)', () => {
    let root: string;
    const write = (file: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };

    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-layers-'));
      write(
        'tsconfig.json',
        JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', strict: true } }),
      );
      // Allowed: cli → core (down).
      write('src/core/ok.ts', 'export const ok = 1;\n');
      write('src/cli/main.ts', "import { ok } from '../core/ok';\nexport const main = ok;\n");
      // Against the layers: up (static), to a peer (type-only), up (dynamic import and require).
      write('src/core/uses-cli.ts', "import { main } from '../cli/main';\nexport const x = main;\n");
      write('src/logging/log.ts', 'export type Log = string;\n');
      write('src/config/peer.ts', "import type { Log } from '../logging/log';\nexport type Config = Log;\n");
      write('src/scheduler/loop.ts', 'export const loop = 1;\n');
      write('src/runner/lazy.ts', "export const load = () => import('../scheduler/loop');\n");
      write('src/services/s.ts', 'export const s = 1;\n');
      write('src/executors/req.ts', "export const s = require('../services/s');\n");
      // A cycle within one folder.
      write('src/db/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
      write('src/db/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    });

    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it('reports each planted import and the cycle, and nothing else', () => {
      const { violations } = cruiseSrc(root);
      expect(violations.map(describeViolation).sort()).toEqual([
        'layer-config: src/config/peer.ts → src/logging/log.ts',
        'layer-core: src/core/uses-cli.ts → src/cli/main.ts',
        'layer-executors: src/executors/req.ts → src/services/s.ts',
        'layer-runner: src/runner/lazy.ts → src/scheduler/loop.ts',
        'no-circular: src/db/a.ts → src/db/b.ts → src/db/a.ts',
      ]);
    });
  });
});
