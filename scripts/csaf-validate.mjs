// Validates CSAF 2.0 documents with the BSI validator library (@secvisogram/csaf-validator-lib):
// the strict CSAF 2.0 JSON schema and every mandatory test (section 6.1) decide validity; the
// optional ("recommended") tests of section 6.2 run too and are reported as warnings.
//
//   node scripts/csaf-validate.mjs FILE.json...
//   node scripts/csaf-validate.mjs --provider-metadata SCHEMA_DIR FILE.json...
//   node scripts/csaf-validate.mjs --aggregator SCHEMA_DIR FILE.json...
//
// The second and third forms check provider-metadata.json (aggregator.json) files against the
// standard's provider_json_schema.json (aggregator_json_schema.json) in SCHEMA_DIR (the
// csaf_2.0 folder of the OASIS archive), with the ajv that the library brings.
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

const usage = (text) => {
  console.error(`usage: node scripts/csaf-validate.mjs ${text}`)
  process.exit(2)
}
const readJson = async (p) => JSON.parse(await readFile(p, 'utf8'))

async function validateCsaf(files) {
  if (files.length === 0) usage('FILE.json...')
  const load = (m) => import(pathToFileURL(join(lib, m)).href)
  const validateStrict = (await load('validateStrict.js')).default
  const schema = await load('schemaTests.js')
  const mandatory = await load('mandatoryTests.js')
  const optional = await load('optionalTests.js')
  const version = (await readJson(join(lib, 'package.json'))).version
  const gate = [schema.csaf_2_0_strict, ...Object.values(mandatory)]
  const recommended = Object.values(optional)
  const items = (tests, key) =>
    tests.flatMap((t) => (t[key] || []).map((x) => ({ test: t.name, path: x.instancePath, message: x.message })))
  let allValid = true
  for (const file of files) {
    const doc = await readJson(file)
    const g = await validateStrict(gate, doc)
    const r = await validateStrict(recommended, doc)
    const errors = items(g.tests, 'errors')
    const warnings = [...items(g.tests, 'warnings'), ...items(r.tests, 'errors'), ...items(r.tests, 'warnings')]
    allValid = allValid && g.isValid
    console.log(JSON.stringify({ file, validator: version, valid: g.isValid, errors, warnings }))
  }
  return allValid
}

async function validateMetadata(dir, files, kind) {
  if (!dir || files.length === 0) usage(`--${kind} SCHEMA_DIR FILE.json...`)
  const dep = async (m) => {
    const x = await import(pathToFileURL(join(lib, '..', '..', m)).href)
    return x.default.default ?? x.default
  }
  const Ajv2020 = await dep('ajv/dist/2020.js')
  const addFormats = await dep('ajv-formats/dist/index.js')
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  for (const f of ['cvss-v2.0.json', 'cvss-v3.0.json', 'cvss-v3.1.json']) {
    const s = await readJson(join(dir, 'referenced_schema/first', f))
    // Older drafts (`id`, not `$id`): register them under the URL the CSAF schema refers to.
    delete s.$schema
    delete s.id
    ajv.addSchema(s, `https://www.first.org/cvss/${f}`)
  }
  ajv.addSchema(await readJson(join(dir, 'json_schema/csaf_json_schema.json')))
  const provider = await readJson(join(dir, 'json_schema/provider_json_schema.json'))
  const name = kind === 'aggregator' ? 'aggregator_json_schema' : 'provider_json_schema'
  if (kind === 'aggregator') ajv.addSchema(provider)
  const validate = ajv.compile(kind === 'aggregator' ? await readJson(join(dir, 'json_schema/aggregator_json_schema.json')) : provider)
  let allValid = true
  for (const file of files) {
    const valid = validate(await readJson(file))
    const errors = (validate.errors || []).map((e) => ({
      test: name,
      path: e.instancePath,
      message: e.message,
    }))
    allValid = allValid && valid
    console.log(JSON.stringify({ file, valid, errors, warnings: [] }))
  }
  return allValid
}

const args = process.argv.slice(2)
const ok =
  args[0] === '--provider-metadata'
    ? await validateMetadata(args[1], args.slice(2), 'provider-metadata')
    : args[0] === '--aggregator'
      ? await validateMetadata(args[1], args.slice(2), 'aggregator')
      : await validateCsaf(args)
// exitCode, not exit(): stdout to a pipe must drain before node ends.
process.exitCode = ok ? 0 : 1
