/**
 * Exporting results for pandas and polars: CSV (csv-stringify) and Parquet (hyparquet-writer).
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileAtomic } from '../io/files.js';

type Scalar = string | number | boolean | null;

/**
 * Writes rows (objects with scalar values) as CSV, with the union of keys as columns (in order of
 * first appearance); a missing value or null is an empty cell. The file is written atomically.
 * @param options `overwrite`: replace an existing file (default false)
 * @throws RangeError when the file exists (without `overwrite`) or its folder is missing or not writable
 */
export function writeCsv(path: string, rows: readonly Record<string, Scalar>[], options: { overwrite?: boolean } = {}): void {
  const columns = columnNames(rows);
  const text = stringify(
    rows.map((r) => columns.map((c) => r[c] ?? '')),
    { header: true, columns, cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
  writeFileAtomic(path, text, options);
}

/**
 * Writes rows as a Parquet file: numeric columns as DOUBLE (INT32 when every value is an
 * integer of 32 bits), booleans as BOOLEAN, everything else as UTF-8 strings; nulls allowed.
 * The file is written atomically.
 * @param options `overwrite`: replace an existing file (default false)
 * @throws RangeError when the file exists (without `overwrite`) or its folder is missing or not writable
 */
export function writeParquet(path: string, rows: readonly Record<string, Scalar>[], options: { overwrite?: boolean } = {}): void {
  const columnData = columnNames(rows).map((name) => {
    const data = rows.map((r) => (r[name] === undefined ? null : r[name]!));
    const present = data.filter((v) => v !== null);
    if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return { name, data, type: 'BOOLEAN' as const };
    if (present.length > 0 && present.every((v) => typeof v === 'number')) {
      const ints = present.every((v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31);
      return { name, data, type: ints ? ('INT32' as const) : ('DOUBLE' as const) };
    }
    return { name, data: data.map((v) => (v === null ? null : String(v))), type: 'STRING' as const };
  });
  writeFileAtomic(path, new Uint8Array(parquetWriteBuffer({ columnData })), options);
}

function columnNames(rows: readonly Record<string, Scalar>[]): string[] {
  const names: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  return names;
}
