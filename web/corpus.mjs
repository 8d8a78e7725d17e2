// The golden corpus (testdata/cases) for JavaScript: its cases and how a
// response is compared with a case's expectation, as in the Go runner
// (internal/golden). Used by web/test/golden.test.mjs, and by the consumer
// app's check (web/consumer/check.mjs) through the installed package.

import fs from 'node:fs';
import path from 'node:path';

// memberSpan returns the source text of a top-level member's value, so that
// requests keep their exact bytes (number spellings, escapes).
export function memberSpan(text, name) {
  let i = text.indexOf('{') + 1;
  const skipString = (j) => {
    for (j++; text[j] !== '"'; j++) if (text[j] === '\\') j++;
    return j + 1;
  };
  const skipValue = (j) => {
    let depth = 0;
    for (;;) {
      const c = text[j];
      if (c === '"') j = skipString(j);
      else if (c === '{' || c === '[') { depth++; j++; }
      else if (c === '}' || c === ']') { if (depth === 0) return j; depth--; j++; if (depth === 0) return j; }
      else if (depth === 0 && (c === ',' || c === undefined)) return j;
      else j++;
      if (depth === 0 && text[j - 1] === '"') return j;
    }
  };
  while (i < text.length) {
    while (/[\s,]/.test(text[i])) i++;
    if (text[i] !== '"') return undefined;
    const keyEnd = skipString(i);
    const key = JSON.parse(text.slice(i, keyEnd));
    i = keyEnd;
    while (/[\s:]/.test(text[i])) i++;
    const end = skipValue(i);
    if (key === name) return text.slice(i, end).trim();
    i = end;
  }
  return undefined;
}

export function* cases(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* cases(p);
    else if (e.name.endsWith('.json')) yield { file: p, text: fs.readFileSync(p, 'utf8') };
  }
}

export const canonical = (text) => JSON.stringify(JSON.parse(text));

// joined turns a response whose resource follows a NUL byte into the one
// JSON response the expectations are written as (internal/golden.Joined).
export function joined(text) {
  const nul = text.indexOf('\0');
  if (nul < 0) return text;
  const { protocol, op, ...rest } = JSON.parse(text.slice(0, nul));
  return JSON.stringify({ protocol, op, resource: JSON.parse(text.slice(nul + 1)), ...rest });
}
// check runs one case through engine.request and returns undefined when the
// response is the expected one, else what was wrong.
export function check(engine, { file, text }) {
  const c = JSON.parse(text);
  const request = c.request_raw !== undefined ? c.request_raw : memberSpan(text, 'request');
  if (request === undefined) return `${file}: no request`;
  const got = joined(engine.request(request));
  const resp = JSON.parse(got);
  if (c.want_error_code !== undefined) {
    return resp.error?.code === c.want_error_code ? undefined : `${c.note}: ${got.slice(0, 300)}`;
  }
  return canonical(got) === canonical(memberSpan(text, 'want')) ? undefined : `${c.note}: ${got.slice(0, 300)}`;
}
