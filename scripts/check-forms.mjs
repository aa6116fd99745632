#!/usr/bin/env node
// Renders Camunda Forms with @bpmn-io/form-js-viewer (in jsdom), as Tasklist and Minsheng's console
// render them, and reports per form: its id, the keys of its fields, the import warnings (unknown
// component types, bad properties), and the fields an empty submission is refused for.
//
// Usage: node scripts/check-forms.mjs [FILE...]   (default: every forms/*.form)
// Prints one JSON object per line; exits 1 when a form cannot be read or imported.

import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { JSDOM } = require('jsdom');

// form-js reads the browser's globals when it loads, so the DOM comes first.
const dom = new JSDOM('<!doctype html><html><body></body></html>', {
  pretendToBeVisual: true,
  url: 'http://localhost/',
});
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (!(name in globalThis) || name === 'window' || name === 'document') {
    Object.defineProperty(globalThis, name, { value: dom.window[name], configurable: true, writable: true });
  }
}
const { Form } = require('@bpmn-io/form-js-viewer');

function keysOf(components, keys = []) {
  for (const component of components ?? []) {
    if (component.key) keys.push(component.key);
    if (component.path) keys.push(component.path);
    keysOf(component.components, keys);
  }
  return keys;
}

async function check(file) {
  const shown = path.relative(process.cwd(), path.resolve(file));
  let schema;
  try {
    schema = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { file: shown, error: `not JSON: ${error.message}` };
  }
  const container = document.createElement('div');
  document.body.appendChild(container);
  const form = new Form({ container });
  try {
    const { warnings } = await form.importSchema(schema, {});
    // validate() names fields by their generated ids; report them by key.
    const registry = form.get('formFieldRegistry');
    const refused = Object.keys(form.validate()).map((id) => registry.get(id)?.key ?? id);
    return {
      file: shown,
      id: schema.id ?? null,
      type: schema.type ?? null,
      schemaVersion: schema.schemaVersion ?? null,
      executionPlatformVersion: schema.executionPlatformVersion ?? null,
      keys: keysOf(schema.components),
      warnings: warnings.map((warning) => String(warning.message ?? warning)),
      requiredWhenEmpty: refused,
    };
  } catch (error) {
    return { file: shown, error: `form-js cannot import it: ${error.message}` };
  } finally {
    form.destroy();
    container.remove();
  }
}

const args = process.argv.slice(2);
const files = args.length > 0
  ? args
  : (await readdir(path.join(root, 'forms'))).filter((name) => name.endsWith('.form')).sort()
    .map((name) => path.join(root, 'forms', name));
let failed = false;
for (const file of files) {
  const result = await check(file);
  failed ||= Boolean(result.error);
  console.log(JSON.stringify(result));
}
process.exit(failed ? 1 : 0);
