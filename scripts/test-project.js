#!/usr/bin/env node
// `npm run test:<project> -- [jest arguments]`: jest on one project of package.json's jest.projects.
// --selectProjects goes last because it takes a list: placed first it would swallow a file path.
const [project, ...args] = process.argv.slice(2);
// What jest's own bin does: express and others keep quiet in tests (NODE_ENV=test).
process.env.NODE_ENV ??= 'test';
require('jest').run([...args, '--selectProjects', project]);
