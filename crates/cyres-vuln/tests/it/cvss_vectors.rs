//! Every CVSS vector in the kit (`cvss/cvss-vectors.tar.zst`, 155,808 vectors) scores exactly as
//! the kit's reference: base scores for all versions, temporal and environmental scores for v2
//! and v3.x wherever the reference gives one. The archive is read once, streaming.

use cyres_vuln::severity::score_vector;
use std::io::Read;

#[derive(serde::Deserialize)]
struct Line {
    vector: String,
    #[serde(default)]
    base_score: Option<f64>,
    #[serde(default)]
    score: Option<f64>,
    #[serde(default)]
    temporal_score: Option<f64>,
    #[serde(default)]
    environmental_score: Option<f64>,
}

#[test]
fn every_kit_vector_scores_like_the_reference() {
    let path = cyres_kit::kit_file("cvss/cvss-vectors.tar.zst");
    let file = std::fs::File::open(&path).unwrap();
    let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
    let mut per_file: Vec<(String, usize)> = Vec::new();
    let mut mismatches: Vec<String> = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".jsonl") {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let mut n = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let l: Line = serde_json::from_str(line).unwrap();
            n += 1;
            let got = match score_vector(&l.vector) {
                Ok(s) => s,
                Err(e) => {
                    mismatches.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let want_base = l.base_score.or(l.score).expect("reference score");
            if got.base != want_base {
                mismatches.push(format!(
                    "{name}: {} base {} != {}",
                    l.vector, got.base, want_base
                ));
            }
            if let Some(t) = l.temporal_score
                && got.temporal != Some(t)
            {
                mismatches.push(format!(
                    "{name}: {} temporal {:?} != {t}",
                    l.vector, got.temporal
                ));
            }
            if let Some(e) = l.environmental_score
                && got.environmental != Some(e)
            {
                mismatches.push(format!(
                    "{name}: {} environmental {:?} != {e}",
                    l.vector, got.environmental
                ));
            }
        }
        per_file.push((name, n));
    }
    let total: usize = per_file.iter().map(|(_, n)| n).sum();
    assert_eq!(per_file.len(), 8, "{per_file:?}");
    assert_eq!(total, 155_808, "{per_file:?}");
    assert!(
        mismatches.is_empty(),
        "{} of {total} vectors disagree; first: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(20)]
    );
}
