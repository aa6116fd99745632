// Answers FEEL evaluations with feelin (the reference JS interpreter) for the differential test.
// Protocol: one JSON object per line in ({"id", "expression", "variables"}), one per line out
// ({"id", "value"} or {"id", "error"}). Values are normalised so that Python can compare them:
// temporals become their ISO text, functions the marker "<function>".
import { createInterface } from 'node:readline';
import { evaluate, isFunction } from 'feelin';

function normalise(value) {
  if (value === null || value === undefined) return null;
  if (isFunction(value)) return '<function>';
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value === 'object') {
    if (typeof value.toJSON === 'function') return value.toJSON();
    const result = {};
    for (const [key, item] of Object.entries(value)) result[key] = normalise(item);
    return result;
  }
  return value;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const request = JSON.parse(line);
  let answer;
  try {
    const { value } = evaluate(request.expression, request.variables);
    answer = { id: request.id, value: normalise(value) };
  } catch (error) {
    answer = { id: request.id, error: String(error && error.message) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
