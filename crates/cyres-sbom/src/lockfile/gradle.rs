//! `gradle.lockfile` (Gradle dependency locking, one file per project): lines
//! `group:artifact:version=configuration,…` and one `empty=…` line. A module locked only for
//! test configurations (`testCompileClasspath`, `testRuntimeClasspath`, …) or for annotation
//! processing is `Excluded`; otherwise `Required`. No graph and no direct dependencies.

use super::{Builder, Package, key, syntax_line};
use crate::{Format, Sbom, SbomError, Scope};

fn dev_configuration(c: &str) -> bool {
    let c = c.trim().to_ascii_lowercase();
    c.starts_with("test")
        || c.contains("annotationprocessor")
        || c.starts_with("kapt")
        || c.starts_with("detekt")
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let mut b = Builder::new(source, Format::GradleLockfile, "");
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((coords, configurations)) = line.split_once('=') else {
            return Err(syntax_line(
                source,
                i + 1,
                "expected group:artifact:version=configurations",
            ));
        };
        if coords == "empty" {
            continue;
        }
        let parts: Vec<&str> = coords.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            return Err(syntax_line(
                source,
                i + 1,
                format!("{coords:?} is not group:artifact:version"),
            ));
        };
        let mut p = Package::new("maven", artifact, Some(version));
        p.namespace = Some(group);
        let configurations: Vec<&str> = configurations
            .split(',')
            .filter(|c| !c.trim().is_empty())
            .collect();
        p.scope = Some(
            if !configurations.is_empty() && configurations.iter().all(|c| dev_configuration(c)) {
                Scope::Excluded
            } else {
                Scope::Required
            },
        );
        b.add(&key(&format!("{group}:{artifact}"), Some(version)), p)?;
    }
    Ok(b.finish())
}
