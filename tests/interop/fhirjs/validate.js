// Validate FHIR R4 JSON resources with FHIR.js: reads a JSON array of resources on stdin,
// writes a JSON array of {valid, messages} (errors only) in the same order.
const { Fhir } = require('fhir');

const fhir = new Fhir();
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((resource) => {
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    return { valid: result.valid, messages: result.messages.filter((m) => m.severity === 'error') };
  });
  process.stdout.write(JSON.stringify(results));
});
