//! The exact-mode series ([`ExactSum::Series`]) against the all-pairs sum
//! ([`ExactSum::AllPairs`]): kernel-CDF estimates and GSVA scores, on the R
//! reference data and on simulated data with many samples.

use ndarray::Array2;
use npxkit_gsva::{gsva, gsva_from_density, kernel_cdf_exact, ExactSum, GsvaOptions, KcdfMode};

/// Largest relative difference of the logit estimates (|Δ| / max(1, |value|)).
const TOL_LOGIT: f64 = 1e-11;

/// Deterministic pseudo-normal matrix (sum of 12 uniforms from an LCG), with
/// per-gene location and scale.
fn simulate(genes: usize, samples: usize, seed: u64) -> Array2<f64> {
    let mut s = seed;
    let mut u = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut x = Array2::zeros((genes, samples));
    for g in 0..genes {
        let loc = 10.0 * u();
        let scale = 0.1 + 2.0 * u();
        for j in 0..samples {
            let z: f64 = (0..12).map(|_| u()).sum::<f64>() - 6.0;
            // a few skewed genes
            x[[g, j]] = loc + scale * if g % 7 == 0 { z.exp() } else { z };
        }
    }
    x
}

fn sets(genes: usize) -> Vec<Vec<usize>> {
    (0..24)
        .map(|s| {
            (0..20.min(genes / 3))
                .map(|k| (s * 37 + k * 101) % genes)
                .collect()
        })
        .collect()
}

fn max_logit_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            assert!(x.is_finite() && y.is_finite());
            (x - y).abs() / x.abs().max(1.0)
        })
        .fold(0.0, f64::max)
}

#[test]
fn series_matches_all_pairs_on_simulated_data() {
    for (genes, samples, seed) in [(200, 30, 1), (300, 64, 2), (100, 400, 3), (12, 1200, 4)] {
        let x = simulate(genes, samples, seed);
        let slow = kernel_cdf_exact(x.view(), ExactSum::AllPairs);
        let fast = kernel_cdf_exact(x.view(), ExactSum::Series);
        let diff = max_logit_diff(&fast, &slow);
        let opts = GsvaOptions {
            kcdf_mode: KcdfMode::Exact,
            ..GsvaOptions::default()
        };
        let sets = sets(genes);
        let es_slow = gsva_from_density(slow.view(), &sets, &opts).unwrap();
        let es_fast = gsva_from_density(fast.view(), &sets, &opts).unwrap();
        let changed = es_slow.iter().zip(&es_fast).filter(|(a, b)| a != b).count();
        let es_diff = es_slow
            .iter()
            .zip(&es_fast)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{genes} x {samples}: max rel. logit diff {diff:e}; GSVA scores changed {changed} of {}, max |diff| {es_diff:e}",
            es_slow.len()
        );
        assert!(diff < TOL_LOGIT, "{diff:e}");
        assert_eq!(changed, 0);
        // gsva() itself (Auto) agrees with the explicit choice.
        let auto = gsva(x.view(), &sets, &opts).unwrap();
        let expect = if samples >= npxkit_gsva::kcdf::SERIES_MIN_SAMPLES {
            &es_fast
        } else {
            &es_slow
        };
        assert_eq!(&auto, expect);
    }
}
