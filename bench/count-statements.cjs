// Counts the SQL statements a benchmark sends, by text, and prints the most frequent at exit (to stderr):
//   BENCH_ORDERS=2000 node --require ./bench/count-statements.cjs --import tsx bench/place-backorder.ts
// What a change saves in round trips, independent of how busy the machine is.
const { Client } = require('pg');

const counts = new Map();
const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text) {
    const key = text.replace(/\s+/g, ' ').slice(0, 100);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};

process.on('exit', () => {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  process.stderr.write(`statements: ${total}\n`);
  for (const [text, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP_STATEMENTS ?? 25))) process.stderr.write(`${String(n).padStart(8)}  ${text}\n`);
});
