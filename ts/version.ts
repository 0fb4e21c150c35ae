/**
 * The package version, read from package.json (works from ts/ and from dist/).
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageJson = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string };

/** The rnnlab version (semver). */
export const VERSION: string = packageJson.version;
