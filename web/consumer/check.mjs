// Node's half of the consumer test: the installed package, by import and
// by require, runs the golden corpus with the module it finds itself.
// node check.mjs REPO_ROOT prints one JSON line per way in.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esm from 'seclabel';

const require = createRequire(import.meta.url);
const cjs = require('seclabel');
const root = process.argv[2];
const { cases, check } = await import(pathToFileURL(path.join(root, 'web/corpus.mjs')).href);
const all = [...cases(path.join(root, 'testdata/cases'))];
const entries = { import: fileURLToPath(import.meta.resolve('seclabel')), require: require.resolve('seclabel') };
for (const [how, mod] of [['import', esm], ['require', cjs]]) {
  const engine = await mod.load();
  const fails = all.map((c) => check(engine, c)).filter((f) => f !== undefined);
  console.log(JSON.stringify({ how, entry: path.basename(entries[how]), cases: all.length, fails }));
}
