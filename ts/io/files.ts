/**
 * File helpers: JSON reading with clear errors, and atomic writes that never replace a file
 * unless asked to.
 * @module
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { rangeError, typeError } from '../validate.js';

/**
 * Throws unless `path` is a non-empty string (a number would be read as a file descriptor).
 * @internal
 */
export function expectPath(path: unknown, field: string): string {
  if (typeof path !== 'string' || path === '') throw typeError(field, 'a file path (non-empty string)', path);
  return path;
}

/**
 * Reads a whole file; a path that is not a string, or a file that cannot be read, is an error
 * naming `field` and saying what kind of file was expected (`what`, e.g. "a readable .npy file").
 * @internal
 */
export function readFileBytes(path: unknown, field: string, what: string): Buffer {
  expectPath(path, field);
  try {
    return readFileSync(path as string);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw rangeError(field, what, path, `${JSON.stringify(path)} (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`);
  }
}

/** Reads and parses a JSON file; a missing file or bad JSON is a RangeError naming `field`. */
export function readJsonFile(path: string, field: string): unknown {
  const text = readFileBytes(path, field, 'a readable JSON file').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw rangeError(field, 'a file of valid JSON', path, `${JSON.stringify(path)} (${(error as Error).message})`);
  }
}

/**
 * Writes `data` to `path` atomically (temporary file in the same folder, fsync, rename), so a
 * reader never sees a half-written file. Refuses to replace an existing file unless `overwrite`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: { overwrite?: boolean } = {}): void {
  expectPath(path, 'path');
  if (!options.overwrite && existsSync(path)) {
    throw rangeError('path', 'a file that does not exist yet (rnnlab never overwrites a file it was not asked to)', path, `${JSON.stringify(path)} (exists)`);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the folder does not exist' : code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message);
    throw rangeError('path', 'a file path in an existing, writable folder', path, `${JSON.stringify(path)} (${why})`);
  }
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Writes pretty JSON atomically (see {@link writeFileAtomic}). */
export function writeJsonFile(path: string, value: unknown, options: { overwrite?: boolean } = {}): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 1)}\n`, options);
}
