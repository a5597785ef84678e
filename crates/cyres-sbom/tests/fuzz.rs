//! Property tests: random truncations and byte mutations of real SBOMs never panic, and a
//! successful read stays within the input's bounds.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::{Limits, read};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// Real documents of every format, small enough for many cases in a debug build.
fn corpus() -> &'static Vec<Vec<u8>> {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut docs = vec![
            std::fs::read(own.join("structure/bom.json")).unwrap(),
            std::fs::read(own.join("structure/bom.xml")).unwrap(),
            std::fs::read(own.join("messy/bom.json")).unwrap(),
        ];
        let spdx = cyres_kit::unpacked("sboms/spdx-examples.tar.zst");
        for rel in [
            "spdx-examples/spdx-spec-2.3.1/examples/SPDXTagExample-v2.3.spdx",
            "spdx-examples/spdx-spec-2.3.1/examples/SPDXJSONExample-v2.3.spdx.json",
            "spdx-examples/spdx-spec-2.3.1/examples/SPDXYAMLExample-2.3.spdx.yaml",
        ] {
            docs.push(std::fs::read(spdx.join(rel)).unwrap());
        }
        docs
    })
}

fn check(bytes: &[u8]) {
    if let Ok(s) = read(bytes, "fuzz", &Limits::default()) {
        // Every component came from the input: there cannot be more than it has bytes.
        assert!(s.components.len() <= bytes.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn truncations_never_panic(doc in 0usize..6, cut in 0.0f64..1.0) {
        let d = &corpus()[doc];
        check(&d[..(d.len() as f64 * cut) as usize]);
    }

    #[test]
    fn mutations_never_panic(doc in 0usize..6, edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..8)) {
        let mut d = corpus()[doc].clone();
        for (at, byte) in edits {
            let i = ((d.len() as f64 * at) as usize).min(d.len() - 1);
            d[i] = byte;
        }
        check(&d);
    }

    #[test]
    fn structural_bytes_never_panic(doc in 0usize..6, at in 0.0f64..1.0,
        insert in prop::sample::select(vec!["{", "}", "[", "]", "\"", "<", ">", "&", "&amp;", "<!DOCTYPE x>", "<text>", "\n", ":", "\\u00"])) {
        let mut d = corpus()[doc].clone();
        let i = (d.len() as f64 * at) as usize;
        d.splice(i..i, insert.bytes());
        check(&d);
    }
}

/// One lockfile of every kind, with the name that announces it (read from `read`'s `source`).
fn lockfiles() -> &'static Vec<(&'static str, Vec<u8>)> {
    static LOCKS: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
    LOCKS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles");
        [
            ("cargo/Cargo.lock", "Cargo.lock"),
            ("npm/v1/package-lock.json", "package-lock.json"),
            ("npm/v3/package-lock.json", "package-lock.json"),
            ("yarn/classic/yarn.lock", "yarn.lock"),
            ("yarn/berry/yarn.lock", "yarn.lock"),
            ("pnpm/v6/pnpm-lock.yaml", "pnpm-lock.yaml"),
            ("pnpm/v9/pnpm-lock.yaml", "pnpm-lock.yaml"),
            ("python/poetry/poetry.lock", "poetry.lock"),
            ("python/uv/uv.lock", "uv.lock"),
            ("python/pipenv/Pipfile.lock", "Pipfile.lock"),
            ("python/pdm/pdm.lock", "pdm.lock"),
            ("python/requirements/base.txt", "requirements.txt"),
            ("go/go.mod", "go.mod"),
            ("ruby/Gemfile.lock", "Gemfile.lock"),
            ("php/composer.lock", "composer.lock"),
            ("gradle/gradle.lockfile", "gradle.lockfile"),
            ("nuget/packages.lock.json", "packages.lock.json"),
            ("dart/pubspec.lock", "pubspec.lock"),
            ("elixir/mix.lock", "mix.lock"),
            ("r/renv.lock", "renv.lock"),
        ]
        .into_iter()
        .map(|(rel, name)| (name, std::fs::read(dir.join(rel)).unwrap()))
        .collect()
    })
}

fn check_lock(name: &str, bytes: &[u8]) {
    if let Ok(s) = read(bytes, name, &Limits::default()) {
        assert!(s.components.len() <= bytes.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn lockfile_truncations_never_panic(doc in 0usize..20, cut in 0.0f64..1.0) {
        let (name, d) = &lockfiles()[doc];
        check_lock(name, &d[..(d.len() as f64 * cut) as usize]);
    }

    #[test]
    fn lockfile_mutations_never_panic(doc in 0usize..20, edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..8),
        insert in prop::sample::select(vec!["", "@", "/", "(", ")", "\"", ":", "\n", "  ", "\\\n", "#", "-r x\n", "{", "[", "%{", "node_modules/"])) {
        let (name, d) = &lockfiles()[doc];
        let mut d = d.clone();
        for (at, byte) in edits {
            let i = ((d.len() as f64 * at) as usize).min(d.len() - 1);
            d[i] = byte;
        }
        let i = d.len() / 2;
        d.splice(i..i, insert.bytes());
        check_lock(name, &d);
    }
}
