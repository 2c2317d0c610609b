import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A random secret kept in `file` (mode 0600). On first use it is generated into a private temporary
 * file and linked into place, so a crash never leaves a partial secret behind and two starts racing
 * agree on the one that got there first.
 */
export async function keptSecret(file: string, bytes = 24): Promise<string> {
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${randomBytes(bytes).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
      await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return (await readFile(file, 'utf8')).trim();
}
