// tsc writes files without the executable bit; the `dagctl` bin needs it for npx and npm link.
const fs = require('node:fs');
const path = require('node:path');
fs.chmodSync(path.join(__dirname, '..', 'dist', 'cli', 'main.js'), 0o755);
