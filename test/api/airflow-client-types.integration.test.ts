import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

describe('the generated Airflow client types', () => {
  it('match what openapi-typescript makes of the document today (run scripts/generate-airflow-api-types.js)', () => {
    const fresh = execFileSync(
      process.execPath,
      [path.join(root, 'scripts/generate-airflow-api-types.js'), '--stdout'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    const committed = fs.readFileSync(path.join(root, 'test/api/generated/airflow-2.6.3.d.ts'), 'utf8');
    expect(committed).toBe(fresh);
  });
});
