import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { taskLogPath } from '../../src/logging/task-log-path';
import type { ApiTestApp } from './helpers/api-test-app';
import { createExampleApi } from './helpers/example-api';
import type { OpenApiResponseValidator } from './helpers/openapi-validator';
import { LOG_TEXT } from './helpers/seed-example';

const LOGS = '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{task_try_number}';
const URL = '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/extract/logs';

let t: ApiTestApp;
let validator: OpenApiResponseValidator;
let secretFile: string;

beforeAll(async () => {
  ({ t, validator } = await createExampleApi('sqlite'));
  // A file right next to the log folder that traversal attempts would aim at.
  secretFile = path.join(t.home, 'secret.txt');
  fs.writeFileSync(secretFile, 'TOP SECRET');
});
afterAll(async () => t?.close());

function get(url: string) {
  return request(t.app).get(url).set('Authorization', t.basic('viewer'));
}

describe('task logs', () => {
  it('returns the log of a try as JSON with a continuation token', async () => {
    const res = await get(`${URL}/1`).expect(200);
    validator.validate('get', LOGS, 200, res.body);
    expect(res.body.content).toBe(LOG_TEXT);
    // Following the token returns only what was appended since.
    const file = taskLogPath(
      t.ctx.config.logging.base_log_folder,
      { dagId: 'example_dag', runId: 'run_1', taskId: 'extract', mapIndex: -1 },
      1,
    );
    fs.appendFileSync(file, 'line three\n');
    const next = await get(`${URL}/1?token=${res.body.continuation_token}`).expect(200);
    expect(next.body.content).toBe('line three\n');
    const done = await get(`${URL}/1?token=${next.body.continuation_token}`).expect(200);
    expect(done.body.content).toBe('');
  });

  it('returns text/plain when asked for it', async () => {
    const res = await get(`${URL}/1`).set('Accept', 'text/plain').expect(200);
    expect(res.type).toBe('text/plain');
    expect(res.text).toContain('line one');
    expect(res.headers['x-continuation-token']).toBeTruthy();
  });

  it('answers an empty log for a try without a file yet, 404 for a try that never happened', async () => {
    const pending = await get('/api/v1/dags/example_dag/dagRuns/run_2/taskInstances/transform/logs/2').expect(200);
    expect(pending.body.content).toBe('');
    const res = await get(`${URL}/7`);
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
  });

  const traversal = [
    `${URL}/..%2F..%2Fetc%2Fpasswd`,
    `${URL}/../../etc/passwd`,
    '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/..%2F..%2F..%2Fsecret.txt/logs/1',
    '/api/v1/dags/example_dag/dagRuns/..%2F..%2F..%2F..%2Fsecret.txt/taskInstances/extract/logs/1',
    '/api/v1/dags/..%2F..%2Fetc/dagRuns/run_1/taskInstances/extract/logs/1',
    '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/%2E%2E/logs/1',
    '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/%252E%252E%252Fsecret.txt/logs/1',
    '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/..%5C..%5Csecret.txt/logs/1',
    '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/extract%00/logs/1',
    `${URL}/1%2F..%2F..%2F..%2F..%2Fsecret.txt`,
    `${URL}/-1`,
    `${URL}/0`,
  ];
  it.each(traversal)('refuses %s', async (url) => {
    const res = await get(url);
    expect([400, 404]).toContain(res.status);
    expect(res.text).not.toContain('TOP SECRET');
    expect(res.text).not.toContain('root:');
    if (res.type !== 'text/html') expect(res.body.status).toBe(res.status);
  });

  it('refuses a forged continuation token and bad query values', async () => {
    expect((await get(`${URL}/1?token=not-a-token`)).status).toBe(400);
    const negative = Buffer.from(JSON.stringify({ offset: -5 })).toString('base64url');
    expect((await get(`${URL}/1?token=${negative}`)).status).toBe(400);
    expect((await get(`${URL}/1?full_content=maybe`)).status).toBe(400);
  });

  it('requires authentication', async () => {
    expect((await request(t.app).get(`${URL}/1`)).status).toBe(401);
  });
});
