import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes several files so that none is ever seen half-written: every file goes to a temporary name
 * in the same directory first (same file system, so rename is atomic), and only when all of them are
 * written are they renamed into place. On any error the temporaries are removed and the error rethrown.
 */
export function writeFilesAtomically(dir: string, files: ReadonlyArray<{ readonly name: string; readonly content: string }>): void {
  mkdirSync(dir, { recursive: true });
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  const written: Array<{ temp: string; final: string }> = [];
  try {
    for (const f of files) {
      const final = join(dir, f.name);
      const temp = `${final}${tag}`;
      written.push({ temp, final });
      writeFileSync(temp, f.content, { encoding: 'utf8', flag: 'wx' });
    }
    for (const w of written) renameSync(w.temp, w.final);
  } catch (e) {
    for (const w of written) rmSync(w.temp, { force: true });
    throw e;
  }
}
