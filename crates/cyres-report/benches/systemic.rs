//! ENISA's aggregate systemic-risk assessment over 100,000 notifications (issue #6 target:
//! under one second). The notifications are synthetic but shaped like the real thing: 2,000
//! manufacturers with 5 products each, 20,000 CVE ids of which a few hundred are shared widely
//! (an SDK flaw across many makers), 5,000 components, 1–6 member states each.
//!
//! Run: `cargo bench -p cyres-report --bench systemic`.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use criterion::{Criterion, criterion_group, criterion_main};
use cyres_cra::{Category, MemberState};
use cyres_report::systemic::{KnownUse, Subject};
use cyres_report::{NotificationFacts, SeverityLevel, SystemicConfig, assess_all};
use std::hint::black_box;

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn notifications(n: usize) -> (Vec<NotificationFacts>, Vec<KnownUse>) {
    let states: Vec<MemberState> = MemberState::all().collect();
    let categories = [
        Category::Default,
        Category::Default,
        Category::ImportantClass1,
        Category::ImportantClass2,
        Category::Critical,
    ];
    let severities = [
        None,
        Some(SeverityLevel::Low),
        Some(SeverityLevel::Medium),
        Some(SeverityLevel::High),
        Some(SeverityLevel::Critical),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let facts = (0..n)
        .map(|i| {
            let maker = rng.below(2_000);
            // One in ten names a widely shared CVE (300 of them), the rest a long tail.
            let cve = if rng.below(10) == 0 {
                rng.below(300)
            } else {
                300 + rng.below(19_700)
            };
            let member_states = (0..1 + rng.below(6))
                .map(|_| states[rng.below(27) as usize])
                .collect();
            NotificationFacts {
                id: format!("n-{i}"),
                manufacturer: format!("maker-{maker}"),
                product: format!("product-{}", rng.below(5)),
                coordinator: states[(maker % 27) as usize],
                member_states,
                estimated_users: if rng.below(4) == 0 {
                    None
                } else {
                    Some(rng.below(5_000_000))
                },
                category: categories[rng.below(5) as usize],
                actively_exploited: rng.below(3) != 0,
                severity: severities[rng.below(5) as usize],
                cve_ids: vec![format!("CVE-2026-{cve:05}")],
                components: vec![format!("pkg:generic/vendor/lib-{}@1.0", rng.below(5_000))],
                limited: rng.below(50) == 0,
            }
        })
        .collect();
    let known = (0..20_000)
        .map(|_| KnownUse {
            subject: Subject::Component(format!("pkg:generic/vendor/lib-{}@1.0", rng.below(5_000))),
            manufacturer: format!("maker-{}", rng.below(3_000)),
            product: format!("product-{}", rng.below(8)),
        })
        .collect();
    (facts, known)
}

fn bench(c: &mut Criterion) {
    let (facts, known) = notifications(100_000);
    let config = SystemicConfig::default();
    let mut group = c.benchmark_group("systemic");
    group.sample_size(10);
    group.bench_function("assess_all_100k", |b| {
        b.iter(|| {
            let set = assess_all(black_box(&facts), black_box(&known), &config);
            black_box(set.per_subject.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
