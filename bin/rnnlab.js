#!/usr/bin/env node
// The rnnlab command. The compiled CLI lives in dist/ (built by `npm install`).
import('../dist/cli/main.js').then(
  async ({ main }) => {
    process.exitCode = await main(process.argv);
  },
  (error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
      console.error('rnnlab: dist/ is missing. Run `npm install` (or `npm run build`) in the rnnlab folder first.');
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
