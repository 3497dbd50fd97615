#!/usr/bin/env node
// Lint Cypher statements with Neo4j's own parser and semantic checker
// (npm package @neo4j-cypher/language-support, function lintCypherQuery).
//
// stdin : JSON array of Cypher statement strings.
// stdout: JSON array, one element per input statement, in input order:
//   {"statement": "...", "diagnostics": [{"message", "severity", "line", "column"}]}
//   severity is "Error" | "Warning" | "Information" | "Hint";
//   line and column are 1-based (as in Neo4j's own error messages).
// Exit code: 0 whenever the input could be linted (with or without diagnostics);
//            2 for bad input or options; 1 if the linter crashed.
//
// Options:
//   --cypher-version "CYPHER 5" | "CYPHER 25"   language version (default "CYPHER 5";
//                                               "5" and "25" are accepted too)
//   --include-plugins                           also accept APOC and GDS functions and
//                                               procedures (default: core Neo4j only)
//   --jobs N                                    worker threads for big batches (default:
//                                               the CPU count; batches under 80 run inline)
//   --stream                                    one JSON string a line on stdin, one result a
//                                               line on stdout as soon as it is linted (for a
//                                               linter that works while the tests run)
//
// Checked: syntax; semantics (undefined variables, aggregation and clause-order
// rules, ...); that every function and procedure exists in Neo4j (core lists,
// see below); deprecations (reported as warnings, e.g. id()); and that each
// string holds exactly one non-empty statement, as a Neo4j driver requires.
// Deliberately not checked: labels, relationship types and property keys (the
// dbSchema lists none, so the package skips those checks and any name is fine),
// and parameters (the package flags every $param that is missing from
// dbSchema.parameters; those diagnostics are dropped with its isNotParamError).
//
// Function and procedure lists: the package's public export
// `testData.mockSchema` holds the `functions` and `procedures` of a real Neo4j
// server, per language version ('CYPHER 5', 'CYPHER 25'), as returned by
// SHOW FUNCTIONS / SHOW PROCEDURES on a server that also had the APOC and GDS
// plugins installed. We keep the built-in functions (isBuiltIn: true) and the
// procedures outside the apoc.* and gds.* namespaces, unless --include-plugins.

import {
  allCypherVersions,
  isNotParamError,
  lintCypherQuery,
  parseStatementsStrs,
  testData,
} from '@neo4j-cypher/language-support';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const SEVERITY_NAMES = { 1: 'Error', 2: 'Warning', 3: 'Information', 4: 'Hint' };
const PLUGIN_PREFIXES = ['apoc.', 'gds.'];

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { cypherVersion: 'CYPHER 5', includePlugins: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--include-plugins') {
      opts.includePlugins = true;
    } else if (a === '--stream') {
      opts.stream = true;
    } else if (a === '--jobs' || a.startsWith('--jobs=')) {
      const v = a === '--jobs' ? argv[++i] : a.slice('--jobs='.length);
      opts.jobs = Number.parseInt(v, 10);
      if (!(opts.jobs >= 1)) throw new UsageError(`--jobs needs a positive integer; got ${v}`);
    } else if (a === '--cypher-version') {
      opts.cypherVersion = argv[++i];
    } else if (a.startsWith('--cypher-version=')) {
      opts.cypherVersion = a.slice('--cypher-version='.length);
    } else {
      throw new UsageError(`unknown argument: ${a}`);
    }
  }
  if (/^\d+$/.test(opts.cypherVersion ?? '')) opts.cypherVersion = `CYPHER ${opts.cypherVersion}`;
  if (!allCypherVersions.includes(opts.cypherVersion)) {
    throw new UsageError(
      `--cypher-version must be one of ${allCypherVersions.join(', ')}; got ${opts.cypherVersion}`,
    );
  }
  return opts;
}

const isPluginName = (name) => PLUGIN_PREFIXES.some((p) => name.startsWith(p));

function filterRegistry(registry, keep) {
  return Object.fromEntries(Object.entries(registry ?? {}).filter(([, v]) => keep(v)));
}

function buildDbSchema({ includePlugins = false, cypherVersion = 'CYPHER 5' } = {}) {
  const mock = testData?.mockSchema;
  if (!mock?.functions?.[cypherVersion] || !mock?.procedures?.[cypherVersion]) {
    throw new Error(
      `@neo4j-cypher/language-support no longer ships testData.mockSchema functions/procedures for ${cypherVersion}`,
    );
  }
  const functions = {};
  const procedures = {};
  for (const version of Object.keys(mock.functions)) {
    functions[version] = includePlugins
      ? mock.functions[version]
      : filterRegistry(mock.functions[version], (f) => f.isBuiltIn === true);
  }
  for (const version of Object.keys(mock.procedures)) {
    procedures[version] = includePlugins
      ? mock.procedures[version]
      : filterRegistry(mock.procedures[version], (p) => !isPluginName(p.name));
  }
  // No labels / relationshipTypes / propertyKeys / graphSchema / parameters:
  // the package only checks those names when the schema lists them.
  return { functions, procedures, defaultLanguage: cypherVersion };
}

function toDiagnostic(d) {
  return {
    message: d.message,
    severity: SEVERITY_NAMES[d.severity] ?? String(d.severity),
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  };
}

function lintStatement(statement, dbSchema) {
  const extra = [];
  // Neo4j drivers run exactly one statement per query text.
  const parts = parseStatementsStrs(statement).filter((s) => s.trim() !== '');
  if (parts.length === 0 && statement.trim() === '') {
    extra.push({ message: 'Empty query: no Cypher statement', severity: 'Error', line: 1, column: 1 });
  } else if (parts.length > 1) {
    extra.push({
      message: `Expected exactly one statement per query but got: ${parts.length}`,
      severity: 'Error',
      line: 1,
      column: 1,
    });
  }
  const { diagnostics } = lintCypherQuery(statement, dbSchema, { consoleCommandsEnabled: false });
  return extra.concat(diagnostics.filter(isNotParamError).map(toDiagnostic));
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function lintAll(statements, opts) {
  const dbSchema = buildDbSchema(opts);
  return statements.map((statement) => ({
    statement,
    diagnostics: lintStatement(statement, dbSchema),
  }));
}

// Neo4j's semantic analysis costs 50-150 ms a statement, so batches of 80 and more
// are split over worker threads (still one process). Small ones stay inline, since
// each worker pays ~1.5 s to load the package.
function lintInWorkers(statements, opts, jobs) {
  const size = Math.ceil(statements.length / jobs);
  const chunks = [];
  for (let i = 0; i < statements.length; i += size) chunks.push(statements.slice(i, i + size));
  return Promise.all(
    chunks.map(
      (chunk) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { chunk, opts } });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`lint worker exited with code ${code}`));
          });
        }),
    ),
  ).then((parts) => parts.flat());
}

async function lintStream(opts) {
  const dbSchema = buildDbSchema(opts);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const statement = JSON.parse(line);
    if (typeof statement !== 'string') throw new UsageError('each line must be a JSON string');
    const diagnostics = lintStatement(statement, dbSchema);
    process.stdout.write(JSON.stringify({ statement, diagnostics }) + '\n');
  }
}

async function main() {
  let opts;
  let statements;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (opts.stream) {
      await lintStream(opts);
      return;
    }
    const raw = await readStdin();
    try {
      statements = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`stdin is not valid JSON: ${e.message}`);
    }
    if (!Array.isArray(statements) || !statements.every((s) => typeof s === 'string')) {
      throw new UsageError('stdin must be a JSON array of strings');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lint.mjs: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const jobs = Math.min(opts.jobs ?? availableParallelism(), Math.floor(statements.length / 40));
  const results =
    jobs > 1 ? await lintInWorkers(statements, opts, jobs) : lintAll(statements, opts);
  process.stdout.write(JSON.stringify(results) + '\n');
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`lint.mjs crashed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
} else {
  parentPort.postMessage(lintAll(workerData.chunk, workerData.opts));
}
