fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let bytes: Vec<u8> = if which == "key" {
        std::fs::read("/tmp/sb/cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json").unwrap()
    } else {
        cyres_sbom::synthetic_cyclonedx(10_000).into_bytes()
    };
    let n: usize = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let t = std::time::Instant::now();
    for _ in 0..n { std::hint::black_box(cyres_sbom::read(&bytes, "x", &Default::default()).unwrap()); }
    let full = t.elapsed().as_secs_f64() / n as f64;
    println!("{which}: {:.0} MiB/s", bytes.len() as f64 / 1048576.0 / full);
}
