//! Lockfiles and manifests read into the model: one real (or, where no tool was at hand,
//! format-faithful hand-written) fixture per format under `testdata/lockfiles/` (sources in its
//! README), checked for component counts, exact purls, scopes and direct flags.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::{Format, Includes, Limits, Sbom, SbomError, Scope, read, read_with_includes};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles")
}

fn lock(rel: &str) -> Sbom {
    let path = dir().join(rel);
    let bytes = std::fs::read(&path).unwrap();
    read(&bytes, path.to_str().unwrap(), &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// purl → (scope, direct).
fn table(s: &Sbom) -> BTreeMap<String, (Scope, Option<bool>)> {
    s.components
        .iter()
        .map(|c| (c.purl_raw.clone().unwrap(), (c.scope, c.direct)))
        .collect()
}

fn check(s: &Sbom, format: Format, count: usize, expect: &[(&str, Scope, Option<bool>)]) {
    assert_eq!(s.format, format, "{}", s.source);
    assert_eq!(s.components.len(), count, "{}: {:#?}", s.source, table(s));
    assert!(
        s.diagnostics.is_empty(),
        "{}: {:?}",
        s.source,
        s.diagnostics
    );
    let t = table(s);
    for (purl, scope, direct) in expect {
        assert_eq!(
            t.get(*purl),
            Some(&(*scope, *direct)),
            "{}: {purl} in {t:#?}",
            s.source
        );
    }
    // Every component has a parsed purl.
    assert!(
        s.components.iter().all(|c| c.purl.is_some()),
        "{}",
        s.source
    );
}

use Scope::{Excluded, Optional, Required};

#[test]
fn cargo_lock_generated_by_cargo() {
    let s = lock("cargo/Cargo.lock");
    assert_eq!(s.spec_version, "4");
    assert_eq!(
        s.product.as_ref().unwrap().purl_raw.as_deref(),
        Some("pkg:cargo/lockfile-fixture@1.0.0")
    );
    check(
        &s,
        Format::CargoLock,
        24,
        &[
            ("pkg:cargo/smallvec@1.6.0", Required, Some(true)),
            ("pkg:cargo/time@0.1.43", Required, Some(true)),
            // A dev-dependency: Cargo.lock does not say so, cargo-audit reads it the same way.
            ("pkg:cargo/tempfile@3.1.0", Required, Some(true)),
            ("pkg:cargo/libc@0.2.191", Required, Some(false)),
            (
                "pkg:cargo/wasi@0.9.0%2Bwasi-snapshot-preview1",
                Required,
                Some(false),
            ),
        ],
    );
    let smallvec = s.components.iter().find(|c| c.name == "smallvec").unwrap();
    assert_eq!(smallvec.hashes[0].0, "SHA-256");
    assert_eq!(smallvec.hashes[0].1.len(), 64);
    assert!(
        s.dependencies
            .contains(&("time@0.1.43".into(), "libc@0.2.191".into()))
    );
}

#[test]
fn cargo_lock_versions_1_to_4_from_the_kit() {
    for (name, version, count) in [
        ("ripgrep-11.0.0", "1", 72),
        ("ripgrep-13.0.0", "3", 56),
        ("ripgrep-head", "4", 52),
        ("tough-develop", "3", 369),
        ("rust-analyzer", "4", 333),
    ] {
        let path = cyres_kit::unpacked_path(
            "sboms/generated-sboms.tar.zst",
            &format!("generated-sboms/rust/cargo-lock-inputs/{name}.Cargo.lock"),
        );
        let bytes = std::fs::read(&path).unwrap();
        let s = read(&bytes, path.to_str().unwrap(), &Limits::default()).unwrap();
        assert_eq!(
            (s.format, s.spec_version.as_str()),
            (Format::CargoLock, version),
            "{name}"
        );
        assert_eq!(s.components.len(), count, "{name}");
        assert!(s.diagnostics.is_empty(), "{name}: {:?}", s.diagnostics);
        // v1 keeps checksums in [metadata]; they still reach the components.
        assert!(s.components.iter().all(|c| !c.hashes.is_empty()), "{name}");
        if name == "ripgrep-13.0.0" {
            // Version 2 is version 3 without the marker: same reading.
            let v2 = String::from_utf8(bytes.clone())
                .unwrap()
                .replace("version = 3\n", "");
            let s2 = read(v2.as_bytes(), "Cargo.lock", &Limits::default()).unwrap();
            assert_eq!(s2.spec_version, "2");
            let purls = |s: &Sbom| {
                s.components
                    .iter()
                    .map(|c| c.purl_raw.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(purls(&s2), purls(&s));
            assert_eq!(s2.dependencies, s.dependencies);
            let regex = s.components.iter().find(|c| c.name == "regex").unwrap();
            assert_eq!(regex.purl_raw.as_deref(), Some("pkg:cargo/regex@1.5.4"));
            assert_eq!(regex.direct, Some(true));
        }
    }
}

#[test]
fn npm_package_lock_v1_v2_v3_and_shrinkwrap() {
    let common = [
        ("pkg:npm/jquery@3.4.1", Required),
        ("pkg:npm/%40babel/runtime@7.29.17", Required),
        ("pkg:npm/minimist@0.0.8", Excluded),
        ("pkg:npm/ansi-html@0.0.7", Excluded),
        ("pkg:npm/ms@2.1.3", Optional),
        // The same name at two versions: top level and nested under mixin-deep.
        ("pkg:npm/is-extendable@0.1.1", Required),
        ("pkg:npm/is-extendable@1.0.1", Required),
    ];
    for (rel, version, direct_known) in [
        ("npm/v1/package-lock.json", "1", false),
        ("npm/v2/package-lock.json", "2", true),
        ("npm/v3/package-lock.json", "3", true),
        ("npm/shrinkwrap/npm-shrinkwrap.json", "3", true),
    ] {
        let s = lock(rel);
        assert_eq!(s.spec_version, version, "{rel}");
        assert_eq!(
            s.product.as_ref().and_then(|p| p.purl_raw.as_deref()),
            Some("pkg:npm/lockfile-fixture@1.0.0")
        );
        let expect: Vec<(&str, Scope, Option<bool>)> = common
            .iter()
            .map(|(p, sc)| {
                let direct = direct_known.then(|| !p.contains("babel") && !p.ends_with("1.0.1"));
                (*p, *sc, direct)
            })
            .collect();
        check(&s, Format::NpmLock, 12, &expect);
        // Node's resolution: mixin-deep uses its nested is-extendable, not the top-level one.
        assert!(
            s.dependencies
                .contains(&("mixin-deep@1.3.1".into(), "is-extendable@1.0.1".into())),
            "{rel}"
        );
        assert!(
            !s.dependencies
                .contains(&("mixin-deep@1.3.1".into(), "is-extendable@0.1.1".into())),
            "{rel}"
        );
        let jq = s.components.iter().find(|c| c.name == "jquery").unwrap();
        assert_eq!(jq.hashes[0].0, "SHA-512");
        assert!(jq.hashes[0].1.starts_with("dfaf8074"), "{rel}");
    }
}

#[test]
fn yarn_classic_and_berry() {
    let classic = lock("yarn/classic/yarn.lock");
    assert_eq!(classic.spec_version, "1");
    // yarn.lock does not record development dependencies or the direct ones.
    check(
        &classic,
        Format::YarnLock,
        12,
        &[
            ("pkg:npm/minimist@0.0.8", Required, None),
            ("pkg:npm/%40babel/runtime@7.29.17", Required, None),
            ("pkg:npm/is-extendable@1.0.1", Required, None),
        ],
    );
    assert!(
        classic
            .dependencies
            .contains(&("i18next@19.8.2".into(), "@babel/runtime@7.29.17".into()))
    );
    let berry = lock("yarn/berry/yarn.lock");
    assert_eq!(berry.spec_version, "berry 10");
    assert_eq!(
        berry.product.as_ref().and_then(|p| p.purl_raw.as_deref()),
        Some("pkg:npm/lockfile-fixture")
    );
    check(
        &berry,
        Format::YarnLock,
        12,
        &[
            ("pkg:npm/jquery@3.4.1", Required, Some(true)),
            ("pkg:npm/ms@2.1.3", Optional, Some(true)),
            ("pkg:npm/isobject@3.0.1", Required, Some(false)),
        ],
    );
    let jq = berry
        .components
        .iter()
        .find(|c| c.name == "jquery")
        .unwrap();
    assert_eq!(jq.hashes[0].0, "SHA-512");
}

#[test]
fn pnpm_lock_v6_and_v9() {
    for (rel, version) in [
        ("pnpm/v6/pnpm-lock.yaml", "6.0"),
        ("pnpm/v9/pnpm-lock.yaml", "9.0"),
    ] {
        let s = lock(rel);
        assert_eq!(s.spec_version, version);
        check(
            &s,
            Format::PnpmLock,
            12,
            &[
                ("pkg:npm/jquery@3.4.1", Required, Some(true)),
                ("pkg:npm/minimist@0.0.8", Excluded, Some(true)),
                ("pkg:npm/ms@2.1.3", Optional, Some(true)),
                ("pkg:npm/isobject@3.0.1", Required, Some(false)),
                ("pkg:npm/%40babel/runtime@7.29.17", Required, Some(false)),
            ],
        );
    }
}

#[test]
fn python_lockfiles() {
    let poetry = lock("python/poetry/poetry.lock");
    assert_eq!(poetry.spec_version, "2.1");
    check(
        &poetry,
        Format::PoetryLock,
        20,
        &[
            ("pkg:pypi/django@2.2.24", Required, None),
            ("pkg:pypi/black@25.1.0", Excluded, None),
            ("pkg:pypi/protobuf@4.25.5", Optional, None),
            // In both groups: it ships.
            ("pkg:pypi/click@8.5.1", Required, None),
        ],
    );
    let uv = lock("python/uv/uv.lock");
    assert_eq!(
        uv.product.as_ref().and_then(|p| p.purl_raw.as_deref()),
        Some("pkg:pypi/lockfile-fixture@1.0.0")
    );
    check(
        &uv,
        Format::UvLock,
        21,
        &[
            ("pkg:pypi/requests@2.20.0", Required, Some(true)),
            ("pkg:pypi/urllib3@1.24.3", Required, Some(false)),
            ("pkg:pypi/black@25.1.0", Excluded, Some(true)),
            ("pkg:pypi/pathspec@1.1.1", Excluded, Some(false)),
            ("pkg:pypi/protobuf@4.25.5", Optional, Some(true)),
            // Needed by black (dev) and by flask (runtime): it ships.
            ("pkg:pypi/click@8.1.8", Required, Some(true)),
        ],
    );
    let pipenv = lock("python/pipenv/Pipfile.lock");
    check(
        &pipenv,
        Format::PipfileLock,
        19,
        &[
            ("pkg:pypi/flask@1.0", Required, None),
            ("pkg:pypi/black@25.1.0", Excluded, None),
        ],
    );
    let pdm = lock("python/pdm/pdm.lock");
    assert_eq!(pdm.spec_version, "4.5.0");
    check(
        &pdm,
        Format::PdmLock,
        20,
        &[
            ("pkg:pypi/werkzeug@3.1.4", Required, None),
            ("pkg:pypi/platformdirs@4.14.9", Excluded, None),
        ],
    );
    assert!(
        pdm.dependencies
            .contains(&("requests@2.20.0".into(), "urllib3@1.24.3".into()))
    );
}

/// Reads sibling files from a map, as the command line reads them from the directory.
struct Siblings(BTreeMap<&'static str, String>);

impl Includes for Siblings {
    fn include(&self, _from: &str, name: &str) -> Result<(String, Vec<u8>), String> {
        self.0
            .get(name)
            .map(|t| (name.to_string(), t.clone().into_bytes()))
            .ok_or_else(|| format!("{name}: no such file"))
    }
}

fn requirements_siblings() -> Siblings {
    let d = dir().join("python/requirements");
    Siblings(BTreeMap::from([
        (
            "base.txt",
            std::fs::read_to_string(d.join("base.txt")).unwrap(),
        ),
        (
            "requirements-dev.txt",
            std::fs::read_to_string(d.join("requirements-dev.txt")).unwrap(),
        ),
    ]))
}

#[test]
fn requirements_with_includes_hashes_and_via_annotations() {
    let top = std::fs::read(dir().join("python/requirements/requirements.txt")).unwrap();
    let s = read_with_includes(
        &top,
        "requirements.txt",
        &Limits::default(),
        &requirements_siblings(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check(
        &s,
        Format::Requirements,
        19,
        &[
            ("pkg:pypi/django@2.2.24", Required, Some(true)),
            ("pkg:pypi/urllib3@1.24.3", Required, Some(false)),
            // From requirements-dev.txt: development only.
            ("pkg:pypi/black@25.1.0", Excluded, Some(true)),
            ("pkg:pypi/pathspec@1.1.1", Excluded, Some(false)),
            // In both files: the shipped pin wins.
            ("pkg:pypi/click@8.5.1", Required, Some(false)),
        ],
    );
    let django = s.components.iter().find(|c| c.name == "django").unwrap();
    assert_eq!(
        django.hashes,
        [(
            "SHA-256".to_string(),
            "3339ff0e03dee13045aef6ae7b523edff75b6d726adf7a7a48f53d5a501f7db7".to_string()
        )]
    );
    assert!(
        s.dependencies
            .contains(&("requests@2.20.0".into(), "idna@2.7".into()))
    );
}

#[test]
fn requirements_includes_are_refused_without_a_resolver_and_bounded() {
    let top = std::fs::read(dir().join("python/requirements/requirements.txt")).unwrap();
    let err = read(&top, "requirements.txt", &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, SbomError::Include { line: 2, include, .. } if include == "base.txt"),
        "{err}"
    );
    assert!(err.to_string().contains("requirements.txt:2"), "{err}");
    // A cycle.
    let looped = Siblings(BTreeMap::from([
        ("requirements-b.txt", "-r requirements.txt\n".to_string()),
        ("requirements.txt", "-r requirements-b.txt\n".to_string()),
    ]));
    let err = read_with_includes(
        b"-r requirements-b.txt\n",
        "requirements.txt",
        &Limits::default(),
        &looped,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    // Too deep: a chain of distinct files.
    struct Chain;
    impl Includes for Chain {
        fn include(&self, _from: &str, name: &str) -> Result<(String, Vec<u8>), String> {
            let n: usize = name
                .trim_start_matches("r")
                .trim_end_matches(".txt")
                .parse()
                .unwrap();
            Ok((
                name.to_string(),
                format!("-r r{}.txt\n", n + 1).into_bytes(),
            ))
        }
    }
    let err = read_with_includes(
        b"-r r1.txt\n",
        "requirements.txt",
        &Limits::default(),
        &Chain,
    )
    .unwrap_err();
    assert!(err.to_string().contains("nested more than"), "{err}");
}

#[test]
fn kit_requirements_file_reads_pins() {
    let path = cyres_kit::unpacked_path(
        "sboms/generated-sboms.tar.zst",
        "generated-sboms/pypi/pypi-requirements-old-pins.requirements.txt",
    );
    let s = read(
        &std::fs::read(&path).unwrap(),
        path.to_str().unwrap(),
        &Limits::default(),
    )
    .unwrap();
    check(
        &s,
        Format::Requirements,
        16,
        &[
            ("pkg:pypi/django@2.2.0", Required, None),
            ("pkg:pypi/pyyaml@5.1", Required, None),
        ],
    );
}

#[test]
fn other_ecosystems() {
    let go = lock("go/go.mod");
    assert_eq!(
        go.product.as_ref().and_then(|p| p.purl_raw.as_deref()),
        Some("pkg:golang/example.com/cyres/fixture")
    );
    check(
        &go,
        Format::GoMod,
        6,
        &[
            (
                "pkg:golang/github.com/gogo/protobuf@v1.3.1",
                Required,
                Some(true),
            ),
            (
                "pkg:golang/golang.org/x/sys@v0.0.0-20210817142637-7d9622a276b7",
                Required,
                Some(false),
            ),
            // `replace` applied; the local replacement is left out.
            (
                "pkg:golang/github.com/new/fork@v1.2.3",
                Required,
                Some(true),
            ),
        ],
    );
    let gems = lock("ruby/Gemfile.lock");
    assert_eq!(gems.spec_version, "2.6.2");
    check(
        &gems,
        Format::GemfileLock,
        6,
        &[
            (
                "pkg:gem/nokogiri@1.18.2?platform=x86_64-linux-gnu",
                Required,
                Some(true),
            ),
            ("pkg:gem/racc@1.8.1", Required, Some(false)),
            ("pkg:gem/rake@13.2.1", Required, Some(false)),
        ],
    );
    let composer = lock("php/composer.lock");
    check(
        &composer,
        Format::ComposerLock,
        3,
        &[
            ("pkg:composer/league/flysystem@1.0.8", Required, None),
            ("pkg:composer/theseer/tokenizer@1.1.3", Excluded, None),
        ],
    );
    let gradle = lock("gradle/gradle.lockfile");
    check(
        &gradle,
        Format::GradleLockfile,
        6,
        &[
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                Required,
                None,
            ),
            ("pkg:maven/junit/junit@4.12", Excluded, None),
            ("pkg:maven/org.projectlombok/lombok@1.18.20", Excluded, None),
        ],
    );
    let log4j = gradle
        .components
        .iter()
        .find(|c| c.name == "log4j-core")
        .unwrap();
    assert_eq!(log4j.group.as_deref(), Some("org.apache.logging.log4j"));
    let nuget = lock("nuget/packages.lock.json");
    check(
        &nuget,
        Format::NuGetLock,
        3,
        &[
            ("pkg:nuget/Newtonsoft.Json@12.0.1", Required, Some(true)),
            (
                "pkg:nuget/System.Text.RegularExpressions@4.3.0",
                Required,
                Some(false),
            ),
        ],
    );
    assert_eq!(nuget.components[0].hashes[0].0, "SHA-512");
    let pubspec = lock("dart/pubspec.lock");
    check(
        &pubspec,
        Format::PubspecLock,
        3,
        &[
            ("pkg:pub/http@0.13.0", Required, Some(true)),
            ("pkg:pub/test@1.16.0", Excluded, Some(true)),
            ("pkg:pub/async@2.11.0", Required, Some(false)),
        ],
    );
    let mix = lock("elixir/mix.lock");
    check(
        &mix,
        Format::MixLock,
        4,
        &[
            ("pkg:hex/plug@1.14.0", Required, None),
            ("pkg:hex/telemetry@1.2.1", Required, None),
        ],
    );
    assert!(
        mix.dependencies
            .contains(&("plug@1.14.0".into(), "telemetry@1.2.1".into()))
    );
    let renv = lock("r/renv.lock");
    check(
        &renv,
        Format::RenvLock,
        4,
        &[
            ("pkg:cran/httr@1.4.7", Required, None),
            ("pkg:cran/R6@2.5.1?repository_url=RSPM", Required, None),
        ],
    );
}

#[test]
fn malformed_lockfiles_name_file_line_and_problem() {
    let cases: &[(&str, &str, u64)] = &[
        (
            "Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"a\"\nversion = \n",
            5,
        ),
        (
            "package-lock.json",
            "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": 1 ,}\n}",
            4,
        ),
        (
            "yarn.lock",
            "# yarn lockfile v1\n\n\"a@^1\":\n  version \"1.0.0\"\nb@^2\n",
            5,
        ),
        ("go.mod", "module x\n\nrequire (\n\tgithub.com/a/b\n)\n", 4),
        (
            "gradle.lockfile",
            "a:b:1=compileClasspath\nnot-a-coordinate=x\n",
            2,
        ),
        ("requirements.txt", "django==2.2\n!!!\n", 2),
        ("mix.lock", "%{\n  \"a\": {:hex, :a, \"1.0\"\n", 3),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [unclosed\n",
            4, // where the YAML parser found the sequence unclosed (end of input)
        ),
    ];
    for (name, text, line) in cases {
        let err = read(text.as_bytes(), &format!("dir/{name}"), &Limits::default()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("dir/{name}:{line}")),
            "{name}: {msg}"
        );
    }
}

#[test]
fn detection_needs_the_name_and_the_content() {
    // A CycloneDX document named like a lockfile is still read as CycloneDX.
    let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}"#;
    assert_eq!(
        read(cdx, "package-lock.json", &Limits::default())
            .unwrap()
            .format,
        Format::CycloneDxJson
    );
    // A lockfile under another name is not guessed.
    let lock = std::fs::read(dir().join("cargo/Cargo.lock")).unwrap();
    let err = read(&lock, "upload.bin", &Limits::default()).unwrap_err();
    assert!(matches!(err, SbomError::UnknownFormat { .. }));
    assert!(err.to_string().contains("Cargo.lock"), "{err}");
    // Size limit first.
    let err = read(&lock, "Cargo.lock", &Limits { max_bytes: 10 }).unwrap_err();
    assert!(matches!(err, SbomError::TooLarge { .. }));
    // Unsupported versions are named.
    let err = read(
        b"{\"lockfileVersion\": 7}",
        "package-lock.json",
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("lockfileVersion 1 to 3"), "{err}");
}
