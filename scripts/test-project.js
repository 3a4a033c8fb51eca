#!/usr/bin/env node
// `npm run test:<project> -- [jest arguments]`: jest on one project of package.json's jest.projects.
// --selectProjects goes last because it takes a list: placed first it would swallow a file path.
const [project, ...args] = process.argv.slice(2);
require('jest').run([...args, '--selectProjects', project]);
