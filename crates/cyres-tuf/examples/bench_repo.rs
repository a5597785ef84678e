//! Builds the benchmark repository of `scripts/bench-tuf.sh`: a cyres workspace (the library
//! behind `cyres repo`) whose security channel lists N targets of 1 KiB each, signed and
//! published with consistent snapshots.
//!
//! ```text
//! cargo run --release -p cyres-tuf --example bench_repo -- DIR [N]
//! ```
//!
//! Key files use deliberately cheap Argon2 costs and a fixed passphrase: benchmark data only.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::path::PathBuf;

use cyres_tuf::keyfile::{KdfParams, KeyFile};
use cyres_tuf::workspace::{InitOptions, Settings};
use cyres_tuf::{Channel, TargetCustom, Workspace};
use time::OffsetDateTime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: bench_repo DIR [N]")?);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let now = OffsetDateTime::now_utc();
    let opts = InitOptions {
        settings: Settings::default(),
        offline_key_dir: dir.join("keys"),
        passphrase: "bench".into(),
        kdf: KdfParams::insecure_fast(),
    };
    let (mut ws, _) = Workspace::init(&dir, &opts, now)?;
    let mut files = Vec::with_capacity(n);
    for i in 0..n {
        let custom = TargetCustom {
            product: "gw".into(),
            hardware: "rev-b".into(),
            version: format!("1.{i}.0"),
            channel: Channel::Security,
            fixes: vec![format!("CVE-2026-{:05}", 10_000 + i)],
            min_version: Some("1.0.0".into()),
        };
        let bytes: Vec<u8> = (0..1024u32).map(|b| (b as usize ^ i) as u8).collect();
        files.push((format!("gw-1.{i}.0.img"), bytes, custom));
    }
    let refs: Vec<(&str, &[u8], &TargetCustom)> = files
        .iter()
        .map(|(n, b, c)| (n.as_str(), b.as_slice(), c))
        .collect();
    ws.add_targets(&refs, now)?;
    let key = KeyFile::read(&dir.join("keys/security.key"))?.decrypt(Some("bench"))?;
    ws.sign("security", &key)?;
    let report = ws.publish(now)?;
    println!(
        "{} targets in role security v{} under {}",
        n,
        report
            .roles_written
            .iter()
            .find(|(r, _)| r == "security")
            .map_or(0, |(_, v)| *v),
        dir.display()
    );
    Ok(())
}
