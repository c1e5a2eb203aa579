//! Compares the normalisation with the R port of OlinkAnalyze 5.0.2's formulas
//! (`test-data/reference/normalize.R`): factors and normalised NPX/LOD within 1e-10,
//! row counts and bridge-sample removal exactly. The synthetic inputs are committed;
//! the package example data (npx_data1/2) come from ../shared and are skipped, with a
//! printed reason, when absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use npxkit_normalize::{
    is_lod_column, normalize_chain, normalize_pair, normalize_reference_median, LodColumn, Method,
    Normalized, Project, Step,
};

const TOL: f64 = 1e-10;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn refdir() -> PathBuf {
    repo().join("test-data/reference/normalize")
}

fn examples() -> Option<PathBuf> {
    let d = repo().join("../shared/data/olink-examples/package-data");
    if d.join("npx_data1.csv").exists() {
        Some(d)
    } else {
        eprintln!(
            "skipping the npx_data1/npx_data2 cases: {} is absent",
            d.display()
        );
        None
    }
}

fn num(s: &str) -> f64 {
    match s {
        "NA" | "" => f64::NAN,
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or_else(|_| panic!("not a number: {s}")),
    }
}

/// Reads a `;`-separated long CSV (no quoted separators in these files).
fn read_project(path: &Path, name: &str) -> Project {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let idx = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (si, oi, ni) = (idx("SampleID"), idx("OlinkID"), idx("NPX"));
    let lod_idx: Vec<usize> = (0..header.len())
        .filter(|&i| is_lod_column(header[i]))
        .collect();
    let mut p = Project {
        name: name.into(),
        sample_id: vec![],
        olink_id: vec![],
        npx: vec![],
        normalization: None,
        lod: lod_idx
            .iter()
            .map(|&i| LodColumn {
                name: header[i].into(),
                values: vec![],
            })
            .collect(),
    };
    for l in lines {
        let f: Vec<&str> = l.split(';').collect();
        p.sample_id.push(f[si].into());
        p.olink_id.push(f[oi].into());
        p.npx.push(num(f[ni]));
        for (c, &i) in lod_idx.iter().enumerate() {
            p.lod[c].values.push(num(f[i]));
        }
    }
    p
}

fn read_tsv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (header, rows)
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= TOL
}

/// Compares with `<case>_{factors,counts,normalized}.tsv`; returns the max |diff|.
fn compare(case: &str, projects: &[Project], n: &Normalized) -> f64 {
    let mut maxdiff = 0.0f64;
    let name = |k: usize| projects[k].name.as_str();
    // counts
    let (_, counts) = read_tsv(&refdir().join(format!("{case}_counts.tsv")));
    let mut mine: Vec<(String, usize)> = Vec::new();
    for r in &n.rows {
        match mine.last_mut() {
            Some((p, c)) if p == name(r.project) => *c += 1,
            _ => mine.push((name(r.project).into(), 1)),
        }
    }
    let want: Vec<(String, usize)> = counts
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    assert_eq!(mine, want, "{case}: rows per project");
    // factors
    let (_, factors) = read_tsv(&refdir().join(format!("{case}_factors.tsv")));
    let adj = n.adjustments(projects);
    assert_eq!(adj.len(), factors.len(), "{case}: project x assay count");
    for (a, f) in adj.iter().zip(&factors) {
        assert_eq!(name(a.project), f[0], "{case}");
        assert_eq!(projects[a.project].olink_id[a.first_row], f[1], "{case}");
        let want = num(&f[2]);
        assert!(close(a.adj_factor, want), "{case} {f:?}: {}", a.adj_factor);
        if !want.is_nan() {
            maxdiff = maxdiff.max((a.adj_factor - want).abs());
        }
    }
    // normalised rows (all rows, or the assays the R script kept)
    let (header, rows) = read_tsv(&refdir().join(format!("{case}_normalized.tsv")));
    let mut by_key: HashMap<(String, String, String), Vec<&Vec<String>>> = HashMap::new();
    for r in &rows {
        by_key
            .entry((r[0].clone(), r[1].clone(), r[2].clone()))
            .or_default()
            .push(r);
    }
    let assays: std::collections::HashSet<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    let mut mine_rows = 0;
    let mut used: HashMap<(String, String, String), usize> = HashMap::new();
    for r in &n.rows {
        let p = &projects[r.project];
        let oid = p.olink_id[r.row].as_str();
        if !assays.contains(oid) {
            continue;
        }
        mine_rows += 1;
        let key = (p.name.clone(), p.sample_id[r.row].clone(), oid.to_string());
        let want = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("{case}: row {key:?} not in R"));
        // duplicated SampleIDs (CONTROL_SAMPLE_AS 1 in npx_data1): match in order
        let k = used.entry(key.clone()).or_insert(0);
        let w = want[*k];
        *k += 1;
        let mut check = |col: &str, got: f64| {
            let i = header.iter().position(|h| h == col).unwrap();
            let v = num(&w[i]);
            assert!(close(got, v), "{case} {key:?} {col}: {got} vs {v}");
            if v.is_finite() {
                maxdiff = maxdiff.max((got - v).abs());
            }
        };
        check("NPX", r.npx);
        check("Adj_factor", r.adj_factor);
        for (c, name) in n.lod_names.iter().enumerate() {
            check(name, r.lod[c]);
        }
    }
    assert_eq!(mine_rows, rows.len(), "{case}: normalised rows compared");
    eprintln!("{case}: max |diff| vs R = {maxdiff:e}");
    maxdiff
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn syn() -> Vec<Project> {
    ["P1", "P2", "P3"]
        .iter()
        .enumerate()
        .map(|(i, n)| read_project(&refdir().join(format!("syn_p{}.csv", i + 1)), n))
        .collect()
}

fn bridges() -> Vec<String> {
    strings(&["B1", "B2", "B3", "B4"])
}

#[test]
fn synthetic_bridge_both_references() {
    let s = syn();
    let pair = [s[0].clone(), s[1].clone()];
    let m = Method::Bridge {
        reference_samples: bridges(),
        samples: bridges(),
    };
    let n = normalize_pair(&pair, 0, &m).unwrap();
    // OID00006 is absent from P2 and is dropped (OlinkAnalyze warns, does not fail)
    assert_eq!(n.removed_assays, vec![(0, "OID00006".to_string())]);
    compare("syn_bridge", &pair, &n);
    let n = normalize_pair(&pair, 1, &m).unwrap();
    compare("syn_bridge_ref2", &pair, &n);
}

#[test]
fn synthetic_subset_and_reference_median() {
    let s = syn();
    let pair = [s[0].clone(), s[1].clone()];
    let m = Method::Subset {
        reference_samples: strings(&["S1", "S2", "S3", "S4", "S5"]),
        samples: strings(&["T1", "T2", "T3", "T4", "T5", "T6"]),
    };
    compare("syn_subset", &pair, &normalize_pair(&pair, 0, &m).unwrap());
    let (_, med) = read_tsv(&refdir().join("syn_refmed_medians.tsv"));
    let med: Vec<(String, f64)> = med.iter().map(|r| (r[0].clone(), num(&r[1]))).collect();
    let samples: Vec<String> = (1..=10).map(|i| format!("S{i}")).collect();
    let n = normalize_reference_median(&s[0], &samples, &med).unwrap();
    compare("syn_refmed", &s[..1], &n);
}

#[test]
fn synthetic_chains() {
    let s = syn();
    let steps = vec![
        Step {
            project: 1,
            reference: 0,
            method: Method::Bridge {
                reference_samples: bridges(),
                samples: bridges(),
            },
        },
        Step {
            project: 2,
            reference: 1,
            method: Method::Bridge {
                reference_samples: strings(&["C1", "C2", "C3"]),
                samples: strings(&["X1", "X2", "X3"]),
            },
        },
    ];
    let n = normalize_chain(&s, 0, &steps).unwrap();
    assert_eq!(n.removed_bridge_rows, 4 * 5 + 3 * 5);
    compare("syn_chain", &s, &n);
    let sub = |p: &str, k: std::ops::RangeInclusive<i32>| -> Vec<String> {
        k.map(|i| format!("{p}{i}")).collect()
    };
    let steps = vec![
        Step {
            project: 1,
            reference: 0,
            method: Method::Subset {
                reference_samples: sub("S", 1..=6),
                samples: sub("T", 1..=8),
            },
        },
        Step {
            project: 2,
            reference: 1,
            method: Method::Subset {
                reference_samples: sub("T", 1..=8),
                samples: sub("U", 1..=6),
            },
        },
    ];
    compare(
        "syn_chain_subset",
        &s,
        &normalize_chain(&s, 0, &steps).unwrap(),
    );
}

#[test]
fn example_data_as_r() {
    let Some(dir) = examples() else { return };
    let pair = [
        read_project(&dir.join("npx_data1.csv"), "P1"),
        read_project(&dir.join("npx_data2.csv"), "P2"),
    ];
    let s2: std::collections::HashSet<&str> = pair[1].samples().into_iter().collect();
    let shared: Vec<String> = pair[0]
        .samples()
        .into_iter()
        .filter(|s| s2.contains(s) && !s.starts_with("CONTROL_SAMPLE"))
        .map(String::from)
        .collect();
    assert_eq!(shared.len(), 16);
    let m = Method::Bridge {
        reference_samples: shared.clone(),
        samples: shared,
    };
    compare(
        "example_bridge",
        &pair,
        &normalize_pair(&pair, 0, &m).unwrap(),
    );
    compare(
        "example_bridge_ref2",
        &pair,
        &normalize_pair(&pair, 1, &m).unwrap(),
    );
    let (_, subsets) = read_tsv(&refdir().join("example_subsets.tsv"));
    let pick = |p: &str| -> Vec<String> {
        subsets
            .iter()
            .filter(|r| r[0] == p)
            .map(|r| r[1].clone())
            .collect()
    };
    let m = Method::Subset {
        reference_samples: pick("P1"),
        samples: pick("P2"),
    };
    compare(
        "example_subset",
        &pair,
        &normalize_pair(&pair, 0, &m).unwrap(),
    );
    let (_, med) = read_tsv(&refdir().join("example_refmed_medians.tsv"));
    let med: Vec<(String, f64)> = med.iter().map(|r| (r[0].clone(), num(&r[1]))).collect();
    let n = normalize_reference_median(&pair[0], &pick("P1"), &med).unwrap();
    compare("example_refmed", &pair[..1], &n);
}
