// Checks a pm25 server's OpenAPI document with a real validator
// (@seriousme/openapi-schema-validator from npm): node openapi-check.mjs
// FILE. Prints "valid VERSION" and exits 0, or the errors and exits 1.
import { Validator } from "@seriousme/openapi-schema-validator";

const validator = new Validator();
const res = await validator.validate(process.argv[2]);
if (res.valid) {
  console.log("valid", validator.version);
} else {
  console.log(JSON.stringify(res.errors, null, 1));
  process.exit(1);
}
