// Builds what `npm install` needs: the native addon (cmake-js, offline thanks to
// package.json "binary.napi_versions") and, in a source checkout, the TypeScript in dist/.
// A failed cmake-js build is retried once with node-gyp (binding.gyp) before giving up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

function buildNative() {
  if (run(bin('cmake-js'), ['compile'])) return;
  console.error('rnnlab: cmake-js build failed; trying node-gyp (binding.gyp) instead.');
  const nodedir = resolve(process.execPath, '..', '..');
  if (run('npx', ['--no-install', 'node-gyp', 'rebuild', `--nodedir=${nodedir}`])) return;
  console.error(
    'rnnlab: the native addon did not build. Check that libopenblas-dev, liblapacke-dev, cmake and g++ are\n' +
      'installed (sh scripts/ensure-system-deps.sh tells you the command), then run `npm run build`.',
  );
  process.exit(1);
}

function buildTypeScript() {
  // Installed from a registry tarball, dist/ is shipped and TypeScript is absent: nothing to do.
  if (!existsSync(join(root, 'ts', 'index.ts')) || !existsSync(bin('tsc'))) return;
  if (!run(bin('tsc'), ['-p', 'tsconfig.build.json'])) {
    console.error('rnnlab: TypeScript compilation failed.');
    process.exit(1);
  }
}

buildNative();
buildTypeScript();
