import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../src');
/** Where SQL text may stand: the aggregates' repositories, and the plumbing that creates databases, runs migrations and holds DDL. */
const SQL_HOMES = [/\.repository\.ts$/, /^platform\/(database|orm|tables)\.ts$/];
/** A string literal (any quotes) that holds a statement. */
const SQL = /(['"`])(?:(?!\1)[\s\S])*?\b(SELECT\s[\s\S]*?\bFROM|INSERT\s+INTO|UPDATE\s+[\w."]+\s+(?:\w+\s+)?SET|DELETE\s+FROM)\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'gen' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

describe('data access', () => {
  const files = sourceFiles(SRC).map((file) => ({ name: path.relative(SRC, file), text: readFileSync(file, 'utf8') }));

  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => SQL.test(f.text))).toBe(true); // the pattern still recognises SQL
  });

  it('keeps SQL text in *.repository.ts files only', () => {
    const stray = files.filter((f) => !SQL_HOMES.some((home) => home.test(f.name)) && SQL.test(f.text)).map((f) => f.name);
    expect(stray).toEqual([]);
  });

  it('converts no row by hand: no camelCase column aliases, no new Date() of a row field', () => {
    const aliases = files.filter((f) => /AS "[a-z]+[A-Z]\w*"/.test(f.text)).map((f) => f.name);
    const dates = files.filter((f) => /new Date\((row|r|rows?\[\d\])\.\w+\)/.test(f.text)).map((f) => f.name);
    expect({ aliases, dates }).toEqual({ aliases: [], dates: [] });
  });
});
