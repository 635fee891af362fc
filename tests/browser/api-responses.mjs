// Validate recorded answers of pm25 server against its own
// /api/openapi.json, with ajv (JSON Schema 2020-12, OpenAPI 3.1's
// dialect). Usage: node api-responses.mjs OPENAPI.json DIR, where DIR
// holds N.meta ("METHOD PATH STATUS CONTENT-TYPE") and N.body per answer.
// A 2xx answer must match its route's success schema and media type,
// any other the Error schema. Prints "N answers valid" or each failure,
// and exits 1 on any.
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync, readdirSync } from 'node:fs';

const [docPath, dir] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'pm25', components: doc.components });
const fix = (s) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"pm25#/components/'));

// the route of a concrete path: its pattern, with {x} as one segment
const routes = Object.keys(doc.paths).map((p) => ({
  p, re: new RegExp('^' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
}));
const route = (path) => {
  const bare = path.split('?')[0];
  // the most specific: fewest parameters
  return routes.filter((r) => r.re.test(bare))
    .sort((a, b) => (a.p.match(/\{/g) || []).length - (b.p.match(/\{/g) || []).length)[0];
};

let n = 0;
const failures = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.meta')).sort()) {
  const [method, path, status, ...type] = readFileSync(`${dir}/${f}`, 'utf8').trim().split(' ');
  const body = readFileSync(`${dir}/${f.replace('.meta', '.body')}`, 'utf8');
  const media = type.join(' ');
  const r = route(path);
  const op = r && doc.paths[r.p][method.toLowerCase()];
  n++;
  if (!op) {
    // no route: a 404 or 405 in the Error shape
    if (!['404', '405'].includes(status)) failures.push(`${method} ${path}: ${status} with no route`);
    else if (!ajv.validate(fix(doc.components.schemas.Error), JSON.parse(body)))
      failures.push(`${method} ${path} ${status}: ${ajv.errorsText()}`);
    continue;
  }
  const ok = status.startsWith('2');
  const resp = ok ? op.responses[status] : op.responses.default;
  if (!resp) {
    failures.push(`${method} ${path}: status ${status} is not in the document`);
    continue;
  }
  const [want] = Object.keys(resp.content);
  if (want !== '*/*' && !media.startsWith(want.split(';')[0])) {
    failures.push(`${method} ${path} ${status}: ${media}, the document says ${want}`);
    continue;
  }
  if (!want.startsWith('application/json')) continue;
  let value;
  try { value = JSON.parse(body); } catch (e) {
    failures.push(`${method} ${path} ${status}: not JSON`);
    continue;
  }
  if (!ajv.validate(fix(resp.content[want].schema), value))
    failures.push(`${method} ${path} ${status}: ${ajv.errorsText()}`);
}
if (failures.length) {
  for (const f of failures) console.log('INVALID ' + f);
  process.exit(1);
}
console.log(`${n} answers valid`);
