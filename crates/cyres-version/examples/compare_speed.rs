//! Rough speed of `compare` per ecosystem (run with `--release`): nanoseconds per comparison
//! over a fixed set of realistic version pairs.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::{Ecosystem, compare};
use std::time::Instant;

fn main() {
    let cases: &[(Ecosystem, &[&str])] = &[
        (
            Ecosystem::Npm,
            &[
                "1.2.3",
                "1.2.3-beta.11",
                "v0.0.0-20220708121648-5fef4d92e758",
                "10.0.0",
            ],
        ),
        (
            Ecosystem::PyPi,
            &["1.0", "1.0.post1", "2.0.0rc1", "1!0.1.dev3+local.7"],
        ),
        (
            Ecosystem::Maven,
            &["1.0-SNAPSHOT", "1.0", "2.0.1-xyz", "1.0-alpha-1"],
        ),
        (
            Ecosystem::Debian,
            &[
                "1:2.7.4+reloaded2-13+deb9u1",
                "2.7.4-1",
                "1.2.3-1~deb7u1",
                "0.0.9",
            ],
        ),
        (
            Ecosystem::Rpm,
            &["0:3.10.0-229.el7", "1.0~rc1-1", "5.5p10", "2.0.1a"],
        ),
        (
            Ecosystem::Alpine,
            &["1.2.3_p1-r2", "2.4.52_git20200101-r0", "1.0.0-r0", "0.9.15"],
        ),
    ];
    for (eco, vs) in cases {
        let rounds = 200_000;
        let start = Instant::now();
        let mut acc = 0i64;
        for i in 0..rounds {
            let a = vs[i % vs.len()];
            let b = vs[(i / vs.len()) % vs.len()];
            acc += compare(eco, a, b) as i64;
        }
        let ns = start.elapsed().as_nanos() as f64 / rounds as f64;
        println!(
            "{:<10} {ns:>7.0} ns/compare (checksum {acc})",
            eco.osv_name()
        );
    }
}
