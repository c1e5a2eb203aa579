//! **npxkit-sim** simulates a paired Olink plasma study whose truth is known: the model
//! limma assumes, so tests can check that methods find what was put in.
//!
//! For assay `g`, subject `i` and timepoint `t` (C1D1 = 0, C2D1 = 1):
//! ```text
//! NPX[g, i, t] = mean[g] + subject[i, g] + logFC[g]·t + error,
//!   subject[i, g] ~ N(0, subject_sd²),  error ~ N(0, σ²[g]),
//!   σ²[g] = prior_df·prior_sd² / χ²(prior_df)      (scaled inverse χ², limma's prior)
//! ```
//! A fraction of assays change (CD274 and the Bindea CD8 T-cell and B-cell markers
//! among the up-regulated, as in the study), LODs put some values below detection, a
//! little data goes missing, a few subjects miss their on-treatment visit, every plate
//! carries Olink's control samples, and a few samples and assays carry QC warnings.
//! Everything is drawn from one ChaCha8 stream seeded by [`SimConfig::seed`], so a seed
//! gives the same study on every platform and thread count.

pub mod delivery;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, Normal};

/// The embedded list of 5,400 assay names (see `data/README.md` for provenance).
const PANEL_SYMBOLS: &str = include_str!("../data/panel_symbols.txt");

/// Assays always included (first), with their true log2 fold change on treatment.
const PLANTED: &[(&str, f64)] = &[
    ("CD274", 0.8),
    ("CXCL9", 0.9),
    ("CXCL10", 0.7),
    ("GZMB", 0.6),
    // Bindea CD8 T cells
    ("CD8A", 0.6),
    ("CD8B", 0.5),
    ("PRF1", 0.5),
    ("GZMM", 0.5),
    ("FLT3LG", 0.5),
    ("LIME1", 0.4),
    // Bindea B cells
    ("MS4A1", 0.6),
    ("CD19", 0.6),
    ("CD72", 0.5),
    ("CR2", 0.5),
    ("BLK", 0.5),
    ("TCL1A", 0.4),
    ("SPIB", 0.4),
    ("TNFRSF17", 0.5),
    // unchanged but named, so small studies contain them
    ("IL6", 0.0),
    ("VEGFA", 0.0),
    ("IL12A_IL12B", 0.0),
];

/// Coherent biological themes, so that GO enrichment and its clustering find something
/// in a simulated study: IFN-γ-induced chemokines, IFN-γ signalling, B- and T-cell
/// receptor signalling up on treatment, the classical complement pathway down. These
/// assays are not forced into small studies (only [`PLANTED`] is); where the panel
/// includes them, their true change replaces the random draw (the draws still happen,
/// so the random stream, and every other assay, is unchanged).
const THEMES: &[(&str, f64)] = &[
    // chemokine-mediated signaling pathway
    ("CXCL11", 0.7),
    ("CXCL13", 0.6),
    ("CCL2", 0.5),
    ("CCL7", 0.4),
    ("CCL4", 0.45),
    ("XCL1", 0.5),
    ("CCR5", 0.4),
    ("CX3CR1", 0.4),
    // interferon-gamma-mediated signaling pathway
    ("IFNG", 0.7),
    ("IRF1", 0.5),
    ("STAT1", 0.5),
    ("IFNGR1", 0.4),
    ("PARP9", 0.45),
    ("SP100", 0.35),
    ("NLRC5", 0.4),
    // B cell receptor signaling pathway
    ("CD79B", 0.5),
    ("BTK", 0.45),
    ("BLNK", 0.5),
    ("LYN", 0.4),
    ("PLCG2", 0.4),
    ("RFTN1", 0.35),
    // T cell receptor signaling pathway
    ("CD3D", 0.5),
    ("CD3E", 0.5),
    ("CD3G", 0.5),
    ("CD247", 0.45),
    ("LCK", 0.5),
    ("CD28", 0.4),
    ("SH2D1A", 0.45),
    ("TRAT1", 0.4),
    ("CD160", 0.4),
    // complement activation, classical pathway
    ("C1QB", -0.5),
    ("C1R", -0.45),
    ("C1S", -0.45),
    ("C4B", -0.4),
    ("C4BPA", -0.4),
    ("C9", -0.35),
    ("C5", -0.35),
];

/// Samples per plate before controls (Explore HT: 88 samples and 8 controls per 96 wells).
const SAMPLES_PER_PLATE: usize = 88;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Number of assays (at most 5,400).
    pub n_assays: usize,
    /// Number of subjects.
    pub n_subjects: usize,
    /// How many of them miss the on-treatment sample.
    pub n_unpaired: usize,
    /// Fraction of assays with a true change (besides the planted ones).
    pub frac_changed: f64,
    /// Probability that a value is missing.
    pub missing_rate: f64,
    /// Prior degrees of freedom of the residual variances.
    pub prior_df: f64,
    /// Prior standard deviation of the residuals.
    pub prior_sd: f64,
    /// Standard deviation of subject effects.
    pub subject_sd: f64,
    /// Study samples flagged with QC status WARN.
    pub n_warn: usize,
    /// Seed of the random stream.
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            n_assays: 5400,
            n_subjects: 49,
            n_unpaired: 3,
            frac_changed: 0.05,
            missing_rate: 0.004,
            prior_df: 4.0,
            prior_sd: 0.4,
            subject_sd: 0.8,
            n_warn: 2,
            seed: 1,
        }
    }
}

/// A simulated sample (study sample or control).
#[derive(Debug, Clone, PartialEq)]
pub struct SimSample {
    /// Sample identifier.
    pub sample_id: String,
    /// `SAMPLE`, `SAMPLE_CONTROL`, `PLATE_CONTROL` or `NEGATIVE_CONTROL`.
    pub sample_type: &'static str,
    /// Plate.
    pub plate_id: String,
    /// Well on the plate.
    pub well_id: String,
    /// `PASS` or `WARN`.
    pub qc: &'static str,
    /// Subject (study samples only).
    pub subject: Option<String>,
    /// `C1D1` or `C2D1` (study samples only).
    pub timepoint: Option<&'static str>,
    /// Age in years (study samples only).
    pub age: Option<u32>,
    /// `F` or `M` (study samples only).
    pub sex: Option<&'static str>,
}

/// A simulated assay and its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct SimAssay {
    /// Olink-style identifier.
    pub olink_id: String,
    /// Made-up UniProt-style accession(s).
    pub uniprot: String,
    /// Gene symbol(s).
    pub assay: String,
    /// Panel.
    pub panel: &'static str,
    /// Limit of detection.
    pub lod: f64,
    /// Mean NPX at baseline.
    pub mean: f64,
    /// Residual standard deviation.
    pub sigma: f64,
    /// True log2 fold change C2D1 vs C1D1.
    pub true_logfc: f64,
    /// Plate on which the assay's QC is WARN, if any.
    pub warn_plate: Option<String>,
}

/// A simulated study: `npx[assay * n_samples + sample]`, NaN for missing.
#[derive(Debug, Clone)]
pub struct SimStudy {
    /// Samples in plate order (controls included).
    pub samples: Vec<SimSample>,
    /// Assays.
    pub assays: Vec<SimAssay>,
    /// Values, assays × samples, row-major.
    pub npx: Vec<f64>,
}

const PANELS: [&str; 4] = [
    "Explore_HT_Cardiometabolic",
    "Explore_HT_Inflammation",
    "Explore_HT_Neurology",
    "Explore_HT_Oncology",
];

/// Picks `n` assay names: the planted ones first, then an even stride through the list.
fn pick_symbols(n: usize) -> Vec<(String, f64)> {
    let all: Vec<&str> = PANEL_SYMBOLS.lines().filter(|l| !l.is_empty()).collect();
    let mut out: Vec<(String, f64)> = PLANTED
        .iter()
        .take(n)
        .map(|(s, f)| (s.to_string(), *f))
        .collect();
    let rest: Vec<&str> = all
        .iter()
        .copied()
        .filter(|s| !PLANTED.iter().any(|(p, _)| p == s))
        .collect();
    let need = n.saturating_sub(out.len());
    for k in 0..need {
        out.push((rest[k * rest.len() / need.max(1)].to_string(), f64::NAN));
    }
    out
}

/// Simulates a study.
pub fn simulate(cfg: &SimConfig) -> Result<SimStudy, String> {
    if cfg.n_assays == 0 || cfg.n_assays > 5400 {
        return Err(format!(
            "--proteins must be between 1 and 5400, got {}",
            cfg.n_assays
        ));
    }
    if cfg.n_subjects < 2 || cfg.n_unpaired >= cfg.n_subjects {
        return Err("need at least 2 subjects and fewer unpaired subjects than subjects".into());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let std_normal = Normal::new(0.0, 1.0).map_err(|e| e.to_string())?;
    let chi2 = ChiSquared::new(cfg.prior_df).map_err(|e| e.to_string())?;
    let samples = layout_samples(cfg, &mut rng);
    let n = samples.len();

    let mut assays = Vec::with_capacity(cfg.n_assays);
    for (g, (symbol, planted)) in pick_symbols(cfg.n_assays).into_iter().enumerate() {
        let mean = 1.5 + 8.0 * rng.random::<f64>() + std_normal.sample(&mut rng);
        let sigma = (cfg.prior_df * cfg.prior_sd.powi(2) / chi2.sample(&mut rng)).sqrt();
        let mut drawn = || {
            if rng.random::<f64>() < cfg.frac_changed {
                let size = 0.3 + 0.9 * rng.random::<f64>();
                if rng.random::<f64>() < 0.7 {
                    size
                } else {
                    -size
                }
            } else {
                0.0
            }
        };
        let true_logfc = if !planted.is_nan() {
            planted
        } else {
            let random = drawn();
            THEMES
                .iter()
                .find(|(t, _)| *t == symbol)
                .map_or(random, |(_, fc)| *fc)
        };
        let spread = (sigma.powi(2) + cfg.subject_sd.powi(2)).sqrt();
        let lod = mean - spread * (0.8 + 3.2 * rng.random::<f64>());
        let warn_plate = (rng.random::<f64>() < 0.01).then(|| "PLATE2".to_string());
        let uniprot = symbol
            .split('_')
            .enumerate()
            .map(|(k, _)| format!("Q{:05}", 10 * g + k + 1))
            .collect::<Vec<_>>()
            .join("_");
        assays.push(SimAssay {
            olink_id: format!("OID{}", 40001 + g),
            uniprot,
            assay: symbol,
            panel: PANELS[g * PANELS.len() / cfg.n_assays],
            lod: round4(lod),
            mean,
            sigma,
            true_logfc,
            warn_plate,
        });
    }

    let subject_ids: Vec<&str> = samples
        .iter()
        .filter_map(|s| s.subject.as_deref())
        .collect();
    let mut subjects: Vec<&str> = subject_ids.clone();
    subjects.sort_unstable();
    subjects.dedup();
    let mut npx = vec![f64::NAN; cfg.n_assays * n];
    for (g, a) in assays.iter().enumerate() {
        let effects: Vec<f64> = subjects
            .iter()
            .map(|_| cfg.subject_sd * std_normal.sample(&mut rng))
            .collect();
        for (j, s) in samples.iter().enumerate() {
            let noise = std_normal.sample(&mut rng);
            let v = match (s.sample_type, &s.subject) {
                ("SAMPLE", Some(subj)) => {
                    let i = subjects.binary_search(&subj.as_str()).unwrap_or(0);
                    let t = if s.timepoint == Some("C2D1") {
                        1.0
                    } else {
                        0.0
                    };
                    a.mean + effects[i] + a.true_logfc * t + a.sigma * noise
                }
                ("NEGATIVE_CONTROL", _) => a.lod - 1.0 + 0.3 * noise,
                _ => a.mean + 0.2 * noise,
            };
            let missing = rng.random::<f64>() < cfg.missing_rate;
            npx[g * n + j] = if missing { f64::NAN } else { round4(v) };
        }
    }
    Ok(SimStudy {
        samples,
        assays,
        npx,
    })
}

/// NPX files carry four decimals.
fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn layout_samples(cfg: &SimConfig, rng: &mut ChaCha8Rng) -> Vec<SimSample> {
    let mut study: Vec<SimSample> = Vec::new();
    for i in 0..cfg.n_subjects {
        let subject = format!("P{:03}", i + 1);
        let age = 25 + (rng.random::<f64>() * 55.0) as u32;
        let sex = if rng.random::<bool>() { "F" } else { "M" };
        let visits: &[&'static str] = if i >= cfg.n_subjects - cfg.n_unpaired {
            &["C1D1"]
        } else {
            &["C1D1", "C2D1"]
        };
        for &tp in visits {
            study.push(SimSample {
                sample_id: String::new(),
                sample_type: "SAMPLE",
                plate_id: String::new(),
                well_id: String::new(),
                qc: "PASS",
                subject: Some(subject.clone()),
                timepoint: Some(tp),
                age: Some(age),
                sex: Some(sex),
            });
        }
    }
    // Randomise plate positions (Fisher–Yates on our own stream).
    for k in (1..study.len()).rev() {
        let j = rng.random_range(0..=k);
        study.swap(k, j);
    }
    // Distinct samples get WARN: every k-th position from a fixed offset.
    let n_warn = cfg.n_warn.min(study.len());
    for k in 0..n_warn {
        let j = (11 + k * study.len() / n_warn.max(1)) % study.len();
        study[j].qc = "WARN";
    }
    let mut out = Vec::new();
    for (p, chunk) in study.chunks(SAMPLES_PER_PLATE).enumerate() {
        let plate = format!("PLATE{}", p + 1);
        let controls: [(&str, &'static str); 4] = [
            ("CONTROL_SAMPLE_1", "SAMPLE_CONTROL"),
            ("CONTROL_SAMPLE_2", "SAMPLE_CONTROL"),
            ("PLATE_CONTROL_1", "PLATE_CONTROL"),
            ("NEGATIVE_CONTROL_1", "NEGATIVE_CONTROL"),
        ];
        let mut well = 0;
        let mut next_well = || {
            well += 1;
            format!(
                "{}{}",
                (b'A' + ((well - 1) / 12) as u8) as char,
                (well - 1) % 12 + 1
            )
        };
        for s in chunk {
            let mut s = s.clone();
            s.sample_id = format!("S{:04}", out.len() + 1);
            s.plate_id = plate.clone();
            s.well_id = next_well();
            out.push(s);
        }
        for (name, kind) in controls {
            out.push(SimSample {
                sample_id: format!("{name}_{plate}"),
                sample_type: kind,
                plate_id: plate.clone(),
                well_id: next_well(),
                qc: "PASS",
                subject: None,
                timepoint: None,
                age: None,
                sex: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_simulate_is_deterministic_and_shaped() {
        let cfg = SimConfig {
            n_assays: 50,
            n_subjects: 6,
            n_unpaired: 1,
            ..SimConfig::default()
        };
        let a = simulate(&cfg).unwrap();
        let b = simulate(&cfg).unwrap();
        assert_eq!(a.samples, b.samples);
        assert_eq!(
            a.npx.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            b.npx.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        let study = a
            .samples
            .iter()
            .filter(|s| s.sample_type == "SAMPLE")
            .count();
        assert_eq!(study, 11); // 5 pairs + 1 unpaired
        assert_eq!(a.samples.len(), 11 + 4); // one plate of controls
        assert_eq!(a.assays[0].assay, "CD274");
        assert!(a.assays.iter().any(|x| x.assay == "IL12A_IL12B"));
        assert_eq!(a.npx.len(), 50 * 15);
        let c = simulate(&SimConfig { seed: 2, ..cfg }).unwrap();
        assert_ne!(a.npx[0].to_bits(), c.npx[0].to_bits());
    }

    #[test]
    fn test_simulate_rejects_bad_sizes() {
        assert!(simulate(&SimConfig {
            n_assays: 0,
            ..SimConfig::default()
        })
        .is_err());
        assert!(simulate(&SimConfig {
            n_subjects: 3,
            n_unpaired: 3,
            ..SimConfig::default()
        })
        .is_err());
    }
}
