//! Times `fit_assays` on a simulated study: 5,400 assays × 92 samples
//! (46 subjects × 2 visits), `y ~ time + (1 | subject)` by ML, type III table
//! and Tukey post-hoc on `time`, 1% missing values.
//!
//! ```text
//! cargo run --release -p npxkit-lmm --example lmer_timing [ASSAYS] [SUBJECTS] [VISITS]
//! ```
//! Set `RAYON_NUM_THREADS` to choose the thread count.

use std::time::Instant;

use ndarray::Array2;
use npxkit_lmm::{fit_assays, CovReduce, LmmModel, ModelSpec, Term, Variable};

/// SplitMix64: a small deterministic generator (no `rand` dependency).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let n_assays = args.first().copied().unwrap_or(5400);
    let n_subj = args.get(1).copied().unwrap_or(46);
    let n_visits = args.get(2).copied().unwrap_or(2);
    let n = n_subj * n_visits;
    let subject: Vec<String> = (0..n).map(|i| format!("S{:03}", i % n_subj)).collect();
    let time: Vec<String> = (0..n).map(|i| format!("V{}", i / n_subj + 1)).collect();
    let mut rng = SplitMix(20261127);
    let mut y = Array2::<f64>::zeros((n_assays, n));
    for a in 0..n_assays {
        let sd_b = 0.2 + 1.0 * rng.next();
        let u: Vec<f64> = (0..n_subj).map(|_| sd_b * rng.normal()).collect();
        for j in 0..n {
            let v = 5.0 + u[j % n_subj] + 0.2 * (j / n_subj) as f64 + 0.5 * rng.normal();
            y[[a, j]] = if rng.next() < 0.01 {
                f64::NAN
            } else {
                (v * 1e4).round() / 1e4
            };
        }
    }
    let model = LmmModel::new(ModelSpec {
        variables: vec![
            Variable::factor_from_labels("time", &time),
            Variable::factor_from_labels("subject", &subject),
        ],
        fixed: vec![Term::main("time")],
        random: vec!["subject".into()],
        reml: false,
    })
    .expect("valid model");
    for (what, posthoc) in [
        ("fit + type III", vec![]),
        (
            "fit + type III + emmeans pairwise (Tukey)",
            vec![vec!["time".to_string()]],
        ),
    ] {
        let t0 = Instant::now();
        let out = fit_assays(&model, y.view(), &posthoc, CovReduce::OlinkMeanSd);
        let el = t0.elapsed();
        let ok = out.iter().filter(|r| r.is_ok()).count();
        let singular = out
            .iter()
            .filter(|r| r.as_ref().is_ok_and(|r| r.fit.singular))
            .count();
        println!(
            "{what}: {n_assays} assays x {n} samples ({n_subj} subjects x {n_visits} visits), {} threads: {:.3} s ({:.0} us/assay); {ok} fitted, {singular} singular",
            rayon::current_num_threads(),
            el.as_secs_f64(),
            1e6 * el.as_secs_f64() / n_assays as f64
        );
    }
}
