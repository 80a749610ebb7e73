'use strict';
// Jest reporter: per-file counts, each failing test with the first line of
// its reason, and the summary line "P passed, F failed, E excluded of T".
// The gate (exit code, set by run.mjs from the file this writes) fails on a
// failure in a file whose class tsfu implements, unless differences.json
// documents exactly that failure.
const fs = require('node:fs');
const path = require('node:path');
const exclusions = require('./exclusions.json');
const differences = require('./differences.json');

// ANSI colour codes, which Jest puts in failure messages.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The first line of a failure and, for a matcher, its first Expected/Received lines. */
function summarize(message) {
  const lines = message.replace(ANSI, '').split('\n');
  const first = lines.find((l) => l.trim() !== '')?.trim() ?? '(no message)';
  // Keep the error class (TypeError vs Error matters), drop it before a matcher's own line.
  const head = first.replace(/^Error: (?=expect\()/, '');
  if (!head.startsWith('expect(')) return { head, detail: [] };
  const detail = [];
  for (const line of lines) {
    if (/^\s*at /.test(line)) break;
    if (/^\s*(Expected|Received|- Expected|\+ Received)\b/.test(line)) detail.push(line.trim());
    if (detail.length === 4) break;
  }
  return { head, detail };
}

/** Line numbers in `file` on the failure's stack. */
function stackLines(message, file) {
  const re = new RegExp(`${file}\\.js:(\\d+)`, 'g');
  return [...message.replace(ANSI, '').matchAll(re)].map((m) => Number(m[1]));
}

function isDocumentedDifference(file, title, messages) {
  const diff = differences.find((d) => d.file === file && d.test === title);
  if (!diff) return false;
  const [from, to] = diff.failsAtLines;
  return messages.every((m) => {
    const lines = stackLines(m, file);
    return lines.length > 0 && lines.every((n) => n >= from && n <= to);
  });
}

class ConformanceReporter {
  constructor(_globalConfig, options) {
    this.gateFiles = new Set(options.gateFiles);
    this.resultsFile = options.resultsFile;
    this.files = [];
  }

  onTestResult(_test, result) {
    const file = path.basename(result.testFilePath, '.js');
    const excludedHere = new Set(exclusions.filter((e) => e.file === file).map((e) => e.test));
    const entry = { file, passed: 0, failed: 0, excluded: 0, total: 0, failures: [], error: undefined };
    for (const t of result.testResults) {
      entry.total += 1;
      if (t.status === 'passed') entry.passed += 1;
      else if (t.status === 'pending' && excludedHere.has(t.title)) entry.excluded += 1;
      else {
        entry.failed += 1;
        const messages = t.failureMessages.length > 0 ? t.failureMessages : [`test ${t.status}`];
        entry.failures.push({
          test: t.title,
          line: stackLines(messages[0], file)[0],
          ...summarize(messages[0]),
          message: messages[0].replace(ANSI, ''),
          difference: isDocumentedDifference(file, t.title, messages),
        });
      }
    }
    if (result.testExecError || (result.testResults.length === 0 && result.failureMessage)) {
      entry.error = summarize(result.testExecError?.message ?? result.failureMessage).head;
    }
    const seen = new Set(result.testResults.map((t) => t.title));
    entry.staleExclusions = [...excludedHere].filter((name) => !seen.has(name));
    this.files.push(entry);
  }

  onRunComplete(_contexts, results) {
    const files = this.files.sort((a, b) => a.file.localeCompare(b.file));
    const sum = (key) => files.reduce((n, f) => n + f[key], 0);
    const out = [''];
    for (const f of files) {
      const gate = this.gateFiles.has(f.file) ? ' [gate]' : '';
      out.push(
        `${f.file}: ${f.passed} passed, ${f.failed} failed, ${f.excluded} excluded of ${f.total}${gate}`,
      );
      if (f.error) out.push(`  ! file did not run: ${f.error}`);
      for (const name of f.staleExclusions) out.push(`  ! exclusion matches no test: ${name}`);
      for (const x of f.failures) {
        out.push(`  ✕ ${x.test}${x.difference ? '  (documented difference, differences.json)' : ''}`);
        out.push(`      ${x.line ? `(${f.file}.js:${x.line}) ` : ''}${x.head}`);
        for (const d of x.detail) out.push(`        ${d}`);
      }
    }
    const stale = files.reduce((n, f) => n + f.staleExclusions.length, 0);
    const gateFailures =
      stale +
      files
        .filter((f) => this.gateFiles.has(f.file))
        .reduce((n, f) => n + f.failures.filter((x) => !x.difference).length + (f.error ? 1 : 0), 0);
    out.push('');
    out.push(
      `${sum('passed')} passed, ${sum('failed')} failed, ${sum('excluded')} excluded of ${sum('total')}`,
    );
    out.push(
      `gate: ${gateFailures} failure(s) in the files of classes tsfu implements (${[...this.gateFiles].join(', ')})` +
        (stale > 0 ? `; ${stale} stale exclusion(s)` : ''),
    );
    out.push(`time: ${((Date.now() - results.startTime) / 1000).toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (this.resultsFile) {
      fs.writeFileSync(this.resultsFile, JSON.stringify({ gateFailures, files }, null, 2));
    }
  }
}

module.exports = ConformanceReporter;
