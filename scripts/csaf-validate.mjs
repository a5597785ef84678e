// Validates CSAF 2.0 documents with the BSI validator library (@secvisogram/csaf-validator-lib):
// the strict CSAF 2.0 JSON schema and every mandatory test (section 6.1) decide validity; the
// optional ("recommended") tests of section 6.2 run too and are reported as warnings.
//
//   node scripts/csaf-validate.mjs FILE.json...
//
// The library is looked up in $CYRES_CSAF_VALIDATOR (the package folder) or, by default, in
// target/oracles/csaf-validator, where scripts/csaf-validator.sh installs the pinned version.
// Prints one JSON line per file: {"file", "valid", "errors": [...], "warnings": [...]}, each
// item {"test", "path", "message"}. Exit status: 0 all valid, 1 some invalid, 2 usage or setup
// error.
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const lib =
  process.env.CYRES_CSAF_VALIDATOR ||
  join(root, 'target/oracles/csaf-validator/node_modules/@secvisogram/csaf-validator-lib')
if (!existsSync(join(lib, 'package.json'))) {
  console.error(`csaf-validate: the BSI validator library is not installed at ${lib}; run: bash scripts/csaf-validator.sh`)
  process.exit(2)
}
const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node scripts/csaf-validate.mjs FILE.json...')
  process.exit(2)
}

const load = (m) => import(pathToFileURL(join(lib, m)).href)
const validateStrict = (await load('validateStrict.js')).default
const schema = await load('schemaTests.js')
const mandatory = await load('mandatoryTests.js')
const optional = await load('optionalTests.js')
const version = JSON.parse(await readFile(join(lib, 'package.json'), 'utf8')).version

const gate = [schema.csaf_2_0_strict, ...Object.values(mandatory)]
const recommended = Object.values(optional)

const items = (tests, key) =>
  tests.flatMap((t) => (t[key] || []).map((x) => ({ test: t.name, path: x.instancePath, message: x.message })))

let allValid = true
for (const file of files) {
  const doc = JSON.parse(await readFile(file, 'utf8'))
  const g = await validateStrict(gate, doc)
  const r = await validateStrict(recommended, doc)
  const errors = items(g.tests, 'errors')
  const warnings = [...items(g.tests, 'warnings'), ...items(r.tests, 'errors'), ...items(r.tests, 'warnings')]
  allValid = allValid && g.isValid
  console.log(JSON.stringify({ file, validator: version, valid: g.isValid, errors, warnings }))
}
process.exit(allValid ? 0 : 1)
