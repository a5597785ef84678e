//! Regression tests for what the cargo-fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found, one
//! test per finding, named after it. Each input is the minimised crash input.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::{Cpe, Purl, VersRange};

/// Parses `input`, prints it and parses the print: the purl must not change.
fn assert_round_trips(input: &str) {
    let Ok(p) = Purl::parse(input) else {
        return;
    };
    let printed = p.to_string();
    assert_eq!(
        Purl::parse(&printed).as_ref(),
        Ok(&p),
        "{input:?} → {printed:?}"
    );
}

#[test]
fn purl_namespace_segment_with_encoded_slash_is_refused() {
    // `%2F` decodes to `/`, which printed back becomes a separator (and `//` an empty, dropped
    // segment): the fuzzer's `pkg:maven/a/b@1?x=https:%2F%2Fc:d/e` changed on a round trip.
    for input in [
        "pkg:maven/https:%2F%2Fmaven.example/name",
        "pkg:maven/a%2Fb/name@1",
        "pkg:maven/groovy/groovy@1.0?repository_url=https:%2F%2Fmaven.kg:docker/c/n?r=gcr.io",
    ] {
        let err = Purl::parse(input).expect_err(input).to_string();
        assert!(err.contains("contains `/` once decoded"), "{input}: {err}");
        assert_round_trips(input);
    }
    // Encoded slashes stay allowed where they are data: in the name and in qualifier values.
    let p = Purl::parse("pkg:generic/a%2Fb@1?repository_url=https:%2F%2Fexample.org").unwrap();
    assert_eq!(p.name, "a/b");
    assert_round_trips("pkg:generic/a%2Fb@1?repository_url=https:%2F%2Fexample.org");
}

#[test]
fn purl_subpath_segment_with_encoded_slash_is_refused() {
    for input in ["pkg:npm/a@1#%2F", "pkg:npm/a@1#x/..%2F/y"] {
        assert!(Purl::parse(input).is_err(), "{input}");
    }
    assert_round_trips("pkg:npm/a@1#x/y");
}

#[test]
fn purl_git_name_with_encoded_slash_is_refused() {
    // The git name is a path printed with `/` separators, so a decoded `/` in its last segment
    // came back as a separator (and `//` as nothing): `…/lipkg:mlfs:%2F%2Fmaven` changed.
    for input in [
        "pkg:git/codeberg.org/forgejo/a:%2F%2Fmaven.example",
        "pkg:git/a%2Fb",
    ] {
        let err = Purl::parse(input).expect_err(input).to_string();
        assert!(err.contains("contains `/` once decoded"), "{input}: {err}");
    }
    assert_round_trips("pkg:git/codeberg.org/forgejo/forgejo@v1");
}

#[test]
fn purl_git_empty_name_after_a_path_is_refused() {
    // `pkg:git/gw/%4004f0aed9cw/@v1`: the empty last segment was joined onto the path as the
    // name `@04f0aed9cw/`, whose trailing `/` did not survive printing.
    for input in ["pkg:git/gw/%4004f0aed9cw/@v1", "pkg:git/host/repo/@1"] {
        let err = Purl::parse(input).expect_err(input).to_string();
        assert!(err.contains("a name is required"), "{input}: {err}");
    }
}

#[test]
fn cpe_whose_printed_form_is_longer_than_the_input_re_parses() {
    // Printing escapes every non-alphanumeric character, so a name near the length limit given
    // with raw U+FFFD or punctuation printed longer than the limit and no longer parsed.
    let value = "!".repeat(3000);
    let input = format!("cpe:2.3:a:{value}:p:*:*:*:*:*:*:*:*");
    let cpe = Cpe::parse(&input).expect("3,000 bytes of values are within the limit");
    let printed = cpe.to_string();
    assert!(printed.len() > 6000, "every `!` is escaped when printed");
    assert_eq!(Cpe::parse(&printed), Ok(cpe));
    // The limit is on the values: 5,000 bytes of them are refused however they are written.
    let over = format!("cpe:2.3:a:{}:p:*:*:*:*:*:*:*:*", "x".repeat(5000));
    assert!(
        Cpe::parse(&over)
            .unwrap_err()
            .to_string()
            .contains("too long")
    );
    let spaces = " ".repeat(20_000);
    assert!(
        Cpe::parse(&spaces)
            .unwrap_err()
            .to_string()
            .contains("too long")
    );
}

#[test]
fn vers_version_starting_with_a_comparator_character_round_trips() {
    // `vers:npm/%3E.310.3|3.10.1`: the decoded version `>.310.3` printed raw became the
    // comparator `>`; a lone `*` and whitespace printed raw did not parse at all.
    for input in [
        "vers:npm/%3E.310.3|3.10.1",
        "vers:npm/%3D1|%3C2",
        "vers:npm/>%3E1",
        "vers:generic/%2A",
        "vers:generic/1%202",
        "vers:pypi/1!2.0",
    ] {
        let range = VersRange::parse(input).expect(input);
        let printed = range.to_string();
        assert_eq!(
            VersRange::parse_canonical(&printed),
            Ok(range),
            "{input} → {printed}"
        );
    }
    // Only the ambiguous characters are encoded: a PEP 440 epoch keeps its `!`.
    let epoch = VersRange::parse("vers:pypi/>=1!2.0").unwrap();
    assert_eq!(epoch.to_string(), "vers:pypi/>=1!2.0");
}

#[test]
fn purl_whose_printed_form_is_over_the_limit_is_refused() {
    // sbom_spdx_json found a purl under the 64 KiB input limit whose qualifier value (a
    // licence text with spaces and newlines) printed percent-encoded at nearly three times the
    // size, over the limit, so the printed purl did not parse again.
    let value = "a b\n".repeat(cyres_version::purl::MAX_PURL_LEN / 4 - 20);
    let input = format!("pkg:deb/ubuntu/pcre3@2?arch={value}");
    assert!(input.len() <= cyres_version::purl::MAX_PURL_LEN);
    let err = Purl::parse(&input)
        .expect_err("printed form too long")
        .to_string();
    assert!(err.contains("once printed"), "{err}");
    assert_round_trips(&input);
    // Just under: accepted, and it round-trips.
    let short = format!("pkg:deb/ubuntu/pcre3@2?arch={}", "a b".repeat(1000));
    assert_round_trips(&short);
    assert!(Purl::parse(&short).is_ok());
}
