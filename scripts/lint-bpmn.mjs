#!/usr/bin/env node
// Lints BPMN diagrams with bpmnlint's recommended rules and the Camunda compatibility rules of the
// version each diagram declares (modeler:executionPlatformVersion, 8.8 or newer).
//
// Usage: node scripts/lint-bpmn.mjs [FILE...]   (default: every bpmn/*.bpmn)
// Prints one line per problem (file, element id, rule, message) and exits 1 on any error or warning.
//
// The bpmnlint command line cannot be used as is: it parses with plain bpmn-moddle, which drops
// the zeebe: extension elements that the camunda-compat rules inspect.

import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BpmnModdle } from 'bpmn-moddle';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Resolve bpmnlint and its plugins from this repository, whatever the working directory.
const require = createRequire(path.join(root, 'package.json'));
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json');

const { configs: compatConfigs } = require('bpmnlint-plugin-camunda-compat');
const OLDEST = [8, 8];

// The rule set for a diagram's declared Camunda version, or a problem that says why there is none.
function compatRules(definitions) {
  const platform = definitions.get('modeler:executionPlatform');
  const version = definitions.get('modeler:executionPlatformVersion');
  if (platform !== 'Camunda Cloud' || !version) {
    return { problem: `declares execution platform ${platform ?? '(none)'} ${version ?? ''}; expected Camunda Cloud 8.8 or newer` };
  }
  const [major, minor] = version.split('.').map(Number);
  if (major < OLDEST[0] || (major === OLDEST[0] && minor < OLDEST[1])) {
    return { problem: `declares Camunda ${version}; Minsheng's diagrams need 8.8 or newer` };
  }
  const name = `camunda-cloud-${major}-${minor}`;
  if (!compatConfigs[name]) {
    return { problem: `declares Camunda ${version}, which this bpmnlint-plugin-camunda-compat does not know` };
  }
  return { config: { extends: ['bpmnlint:recommended', `plugin:camunda-compat/${name}`] } };
}

async function diagramsIn(directory) {
  const names = await readdir(directory);
  return names.filter((name) => name.endsWith('.bpmn')).sort().map((name) => path.join(directory, name));
}

// Extension elements have no id of their own: name the BPMN element that carries them.
function nearestId(element) {
  for (let current = element; current; current = current.$parent) {
    if (current.id) {
      return current.id;
    }
  }
  return '';
}

async function problemsOf(file, moddle) {
  let parsed;
  try {
    parsed = await moddle.fromXML(await readFile(file, 'utf8'), 'bpmn:Definitions');
  } catch (error) {
    return [{ id: '', rule: 'parse', category: 'error', message: error.message.split('\n')[0] }];
  }
  // Unknown elements or attributes (a misspelt zeebe: property) are import warnings: errors here.
  const problems = parsed.warnings.map((warning) => ({
    id: nearestId(warning.element),
    rule: 'import',
    category: 'error',
    message: warning.message.replace(/\s*\n\s*/g, ', '),
  }));
  const { config, problem } = compatRules(parsed.rootElement);
  if (problem) {
    return [...problems, { id: parsed.rootElement.id ?? '', rule: 'execution-platform', category: 'error', message: problem }];
  }
  const linter = new Linter({ config, resolver: new NodeResolver({ require }) });
  const reports = await linter.lint(parsed.rootElement);
  for (const [rule, ruleReports] of Object.entries(reports)) {
    for (const report of ruleReports) {
      problems.push({ id: report.id ?? '', rule, category: report.category, message: report.message });
    }
  }
  return problems;
}

async function main(args) {
  const files = args.length > 0 ? args : await diagramsIn(path.join(root, 'bpmn'));
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  let count = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), path.resolve(file));
    for (const { id, rule, category, message } of await problemsOf(file, moddle)) {
      console.log(`${shown}: ${id || '(diagram)'}: ${rule} (${category}): ${message}`);
      count += 1;
    }
  }
  if (files.length === 0) {
    console.log('no BPMN files to lint');
    return 1;
  }
  console.log(`${files.length} diagram(s), ${count} problem(s)`);
  return count === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
