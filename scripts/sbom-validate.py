"""Validates SBOM files: `sbom-validate.py cyclonedx FILE...` against the official CycloneDX 1.6
JSON schema (strict: no properties the schema does not define; `cyclonedx-1.5` against 1.5's),
`sbom-validate.py spdx FILE...`
with the SPDX project's own SPDX 2.3 parser and validator. Prints one line per problem and
exits 1 when there is any. Installed by scripts/sbom-validators.sh."""
import sys


def cyclonedx(path, version="V1_6"):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    with open(path, encoding="utf-8") as f:
        error = JsonStrictValidator(getattr(SchemaVersion, version)).validate_str(f.read())
    return [] if error is None else [str(error)]


def cyclonedx_15(path):
    return cyclonedx(path, "V1_5")


def spdx(path):
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    try:
        document = parse_file(path)
    except Exception as e:  # the parser's own error types carry the messages
        return [f"parse error: {e}"]
    return [m.validation_message for m in validate_full_spdx_document(document, "SPDX-2.3")]


def main():
    kind, files = sys.argv[1], sys.argv[2:]
    check = {"cyclonedx": cyclonedx, "cyclonedx-1.5": cyclonedx_15, "spdx": spdx}[kind]
    bad = 0
    for path in files:
        for problem in check(path):
            bad += 1
            print(f"{path}: {problem}")
    print(f"{len(files)} files checked, {bad} problems")
    sys.exit(1 if bad else 0)


main()
