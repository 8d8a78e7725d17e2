// Runs the JavaScript benchmarks in Node, through the npm package's Node
// entry (web/npm/node.js): node bench/js/node.mjs MANIFEST
// reads the manifest the harness wrote (see bench.mjs; paths are files) and
// prints the results as JSON on standard output.
import { readFileSync } from 'node:fs';
import { load } from '../../web/npm/node.js';
import { run } from './bench.mjs';

const manifest = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const module = await WebAssembly.compile(readFileSync(manifest.wasm));
const results = await run(() => load({ wasm: module }), manifest, (path) => new Uint8Array(readFileSync(path)));
process.stdout.write(JSON.stringify({ version: process.version, results }));
