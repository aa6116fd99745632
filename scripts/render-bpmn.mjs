#!/usr/bin/env node
// Renders a BPMN diagram to a PNG with bpmn-js in Chromium, as Camunda Modeler would draw it, so
// that a layout can be looked at before it is committed.
//
// Usage: node scripts/render-bpmn.mjs DIAGRAM.bpmn OUT.png
// Needs Debian's chromium (CHROMIUM overrides /usr/bin/chromium). Prints bpmn-js's import warnings
// (elements without a shape, unknown references) and exits 1 when the import fails.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { chromium } = require('playwright-core');

const [diagramPath, outPath] = process.argv.slice(2);
if (!diagramPath || !outPath) {
  console.error('usage: node scripts/render-bpmn.mjs DIAGRAM.bpmn OUT.png');
  process.exit(2);
}

const xml = await readFile(diagramPath, 'utf8');
const viewer = path.join(root, 'node_modules/bpmn-js/dist/bpmn-viewer.production.min.js');
const styles = ['diagram-js.css', 'bpmn-js.css'].map((name) =>
  path.join(root, 'node_modules/bpmn-js/dist/assets', name),
);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.setContent('<div id="canvas" style="width:1600px;height:1000px"></div>');
  for (const style of styles) await page.addStyleTag({ path: style });
  await page.addScriptTag({ path: viewer });
  const result = await page.evaluate(async (diagram) => {
    const bpmnViewer = new window.BpmnJS({ container: '#canvas' });
    window.bpmnViewer = bpmnViewer;
    try {
      const { warnings } = await bpmnViewer.importXML(diagram);
      const box = bpmnViewer.get('canvas').viewbox().inner;
      return { warnings: warnings.map((warning) => warning.message), box };
    } catch (error) {
      return { error: String(error) };
    }
  }, xml);
  if (result.error) {
    console.error(`${diagramPath}: ${result.error}`);
    process.exit(1);
  }
  for (const warning of result.warnings) console.log(`${diagramPath}: ${warning}`);
  // At scale 1 where it fits, so that labels stay legible; very large diagrams are scaled down.
  const size = {
    width: Math.min(Math.ceil(result.box.width) + 80, 4000),
    height: Math.min(Math.ceil(result.box.height) + 80, 3000),
  };
  await page.setViewportSize(size);
  await page.evaluate(({ width, height }) => {
    const container = document.getElementById('canvas');
    container.style.width = `${width}px`;
    container.style.height = `${height}px`;
    const canvas = window.bpmnViewer.get('canvas');
    canvas.resized();
    canvas.zoom('fit-viewport', 'auto');
  }, size);
  await page.screenshot({ path: outPath });
  console.log(`${outPath}: ${Math.round(result.box.width)}×${Math.round(result.box.height)} diagram units`);
} finally {
  await browser.close();
}
