use std::time::Instant;
fn main() {
    let text = cyres_sbom::synthetic_cyclonedx(10_000);
    let key = std::fs::read("/tmp/sb/cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json").unwrap();
    for (name, bytes) in [("synthetic", text.as_bytes()), ("keycloak", &key[..])] {
        let n = 30;
        let t = Instant::now();
        for _ in 0..n { let v: serde::de::IgnoredAny = serde_json::from_slice(bytes).unwrap(); std::hint::black_box(v); }
        let ign = t.elapsed().as_secs_f64() / n as f64;
        let t = Instant::now();
        for _ in 0..n { std::hint::black_box(cyres_sbom::read(bytes, "x", &Default::default()).unwrap()); }
        let full = t.elapsed().as_secs_f64() / n as f64;
        let s = cyres_sbom::read(bytes, "x", &Default::default()).unwrap();
        let t = Instant::now();
        for _ in 0..n { for c in &s.components { if let Some(p) = &c.purl_raw { std::hint::black_box(cyres_version::Purl::parse(p).ok()); } } }
        let purl = t.elapsed().as_secs_f64() / n as f64;
        let mb = bytes.len() as f64 / 1048576.0;
        println!("{name}: {:.1} MB ignored-any {:.0} MiB/s, full {:.0} MiB/s, purl-only {:.1} ms vs full {:.1} ms, comps {}, diags {}", mb, mb/ign, mb/full, purl*1e3, full*1e3, s.components.len(), s.diagnostics.len());
    }
}
