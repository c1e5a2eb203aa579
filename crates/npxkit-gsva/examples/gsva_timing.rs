//! One-off timing of `gsva()` on simulated N(0, 1) data (the 10,000-sample
//! measurement of docs/PERFORMANCE.md, too slow for criterion):
//! `cargo run --release -p npxkit-gsva --example gsva_timing -- GENES SAMPLES SETS MODE`
//! with MODE `compat`, `exact` (series from 64 samples) or `exact-allpairs`.

use ndarray::Array2;
use npxkit_gsva::{gsva, gsva_from_density, kernel_cdf_exact, ExactSum, GsvaOptions, KcdfMode};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let genes: usize = args.first().map_or(3700, |a| a.parse().unwrap());
    let samples: usize = args.get(1).map_or(1000, |a| a.parse().unwrap());
    let nsets: usize = args.get(2).map_or(24, |a| a.parse().unwrap());
    let mode = args.get(3).map_or("exact", String::as_str);
    let x = simulate(genes, samples, 42);
    let sets: Vec<Vec<usize>> = (0..nsets)
        .map(|s| (0..20).map(|k| (s * 131 + k * 173) % genes).collect())
        .collect();
    let t0 = Instant::now();
    let es = match mode {
        "compat" => gsva(x.view(), &sets, &GsvaOptions::default()).unwrap(),
        "exact" | "exact-allpairs" => {
            let opts = GsvaOptions {
                kcdf_mode: KcdfMode::Exact,
                ..GsvaOptions::default()
            };
            let sum = if mode == "exact" {
                ExactSum::Auto
            } else {
                ExactSum::AllPairs
            };
            let d = kernel_cdf_exact(x.view(), sum);
            let t1 = t0.elapsed();
            let es = gsva_from_density(d.view(), &sets, &opts).unwrap();
            eprintln!(
                "  kernel CDF {:.3} s, ranks + walks {:.3} s",
                t1.as_secs_f64(),
                (t0.elapsed() - t1).as_secs_f64()
            );
            es
        }
        other => panic!("unknown mode {other}"),
    };
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "npxkit gsva ({mode}): {genes} genes x {samples} samples, {nsets} sets, {} threads: {secs:.3} s (checksum {:.6}, bits {:016x})",
        rayon::current_num_threads(),
        es.sum(),
        es.iter().fold(0u64, |h, v| (h ^ v.to_bits()).wrapping_mul(0x100_0000_01b3))
    );
}

/// N(0, 1) values by Box–Muller from a 64-bit LCG (deterministic).
fn simulate(genes: usize, samples: usize, seed: u64) -> Array2<f64> {
    let mut s = seed;
    let mut u = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    Array2::from_shape_simple_fn((genes, samples), || {
        (-2.0 * u().ln()).sqrt() * (std::f64::consts::TAU * u()).cos()
    })
}
