//! Degenerate inputs through the public API, one test per case and every
//! method: what GSVA 1.46 stops on is a typed error here; what it warns
//! about is computed and documented.

use ndarray::{array, Array2};
use npxkit_gsva::{
    filter_constant_rows, gsva, plage, ssgsea, zscore, GsvaError, GsvaOptions, Kcdf, SsgseaOptions,
};

fn data() -> Array2<f64> {
    array![
        [1.0, 2.0, 3.0, 4.0, 2.5],
        [4.0, 3.0, 2.0, 1.0, 0.5],
        [1.0, 3.0, 2.0, 5.0, 4.0],
        [2.0, 2.5, 1.0, 0.0, 1.5],
        [0.3, 0.1, 0.4, 0.2, 0.9]
    ]
}

/// Each method on `x` and `sets`.
fn all(x: &Array2<f64>, sets: &[Vec<usize>]) -> [Result<Array2<f64>, GsvaError>; 4] {
    [
        gsva(x.view(), sets, &GsvaOptions::default()),
        ssgsea(x.view(), sets, &SsgseaOptions::default()),
        zscore(x.view(), sets),
        plage(x.view(), sets),
    ]
}

#[test]
fn zero_genes() {
    let x = Array2::<f64>::zeros((0, 4));
    for r in all(&x, &[vec![0]]) {
        assert_eq!(r, Err(GsvaError::TooFewGenes { genes: 0 }));
    }
}

#[test]
fn one_gene() {
    let x = array![[1.0, 2.0, 3.0]];
    for r in all(&x, &[vec![0]]) {
        assert_eq!(r, Err(GsvaError::TooFewGenes { genes: 1 }));
    }
}

#[test]
fn one_sample() {
    // ssGSEA scores a single sample; the others need a standard deviation.
    let x = array![[1.0], [2.0], [3.0]];
    let [g, s, z, p] = all(&x, &[vec![0]]);
    let too_few = Err(GsvaError::TooFewSamples { samples: 1, min: 2 });
    assert_eq!(g, too_few);
    assert_eq!(z, too_few);
    assert_eq!(p, too_few);
    // one score: normalising by a zero range gives -Inf, as R's es / 0
    assert_eq!(s.unwrap()[[0, 0]], f64::NEG_INFINITY);
    let raw = ssgsea(
        x.view(),
        &[vec![0]],
        &SsgseaOptions {
            normalize: false,
            ..SsgseaOptions::default()
        },
    )
    .unwrap();
    assert!(raw[[0, 0]] < 0.0);
}

#[test]
fn non_finite_value() {
    let mut x = data();
    x[[2, 3]] = f64::NAN;
    for r in all(&x, &[vec![0, 1]]) {
        assert!(matches!(
            r,
            Err(GsvaError::NonFinite { row: 2, col: 3, .. })
        ));
    }
}

#[test]
fn constant_row() {
    // GSVA drops constant genes (but not for ssGSEA): the methods reject them,
    // filter_constant_rows drops them and re-indexes the sets.
    let mut x = data();
    x.row_mut(1).fill(3.0);
    let sets = vec![vec![0, 1, 2], vec![4, 1]];
    let [g, s, z, p] = all(&x, &sets);
    for r in [g, z, p] {
        assert!(matches!(r, Err(GsvaError::ConstantRow { row: 1, .. })));
    }
    assert!(s.is_ok());
    let f = filter_constant_rows(x.view(), &sets);
    assert_eq!(f.dropped, vec![1]);
    assert_eq!(f.sets, vec![vec![0, 1], vec![3]]);
    let kept = f.apply(x.view());
    for r in all(&kept, &f.sets) {
        assert_eq!(r.unwrap().dim(), (2, 5));
    }
}

#[test]
fn no_sets() {
    for r in all(&data(), &[]) {
        assert_eq!(r, Err(GsvaError::NoSets));
    }
}

#[test]
fn empty_set() {
    for r in all(&data(), &[vec![0, 1], vec![]]) {
        assert_eq!(r, Err(GsvaError::EmptySet { set: 1 }));
    }
}

#[test]
fn index_out_of_range() {
    for r in all(&data(), &[vec![0, 5]]) {
        assert_eq!(
            r,
            Err(GsvaError::IndexOutOfRange {
                set: 0,
                index: 5,
                genes: 5
            })
        );
    }
}

#[test]
fn duplicate_index() {
    for r in all(&data(), &[vec![0, 2, 0]]) {
        assert_eq!(r, Err(GsvaError::DuplicateIndex { set: 0, index: 0 }));
    }
}

#[test]
fn set_of_all_genes() {
    // The random walks need genes outside the set; z-score and PLAGE do not.
    let [g, s, z, p] = all(&data(), &[vec![0, 1, 2, 3, 4]]);
    let covers = Err(GsvaError::SetCoversAllGenes { set: 0, genes: 5 });
    assert_eq!(g, covers);
    assert_eq!(s, covers);
    assert!(z.is_ok() && p.is_ok());
}

#[test]
fn single_gene_set() {
    // GSVA warns and scores it; PLAGE's v₁ of one standardised row is z / ||z||.
    let x = data();
    for r in all(&x, &[vec![2], vec![0, 3]]) {
        let es = r.unwrap();
        assert!(es.iter().all(|v| v.is_finite()));
    }
    let p = plage(x.view(), &[vec![2]]).unwrap();
    let z = zscore(x.view(), &[vec![2]]).unwrap();
    let norm = z.row(0).dot(&z.row(0)).sqrt();
    for j in 0..5 {
        assert!((p[[0, j]] - z[[0, j]] / norm).abs() < 1e-15);
    }
}

#[test]
fn negative_counts_for_poisson() {
    let mut x = data();
    x[[4, 0]] = -0.3;
    let opts = GsvaOptions {
        kcdf: Kcdf::Poisson,
        ..GsvaOptions::default()
    };
    assert_eq!(
        gsva(x.view(), &[vec![0]], &opts),
        Err(GsvaError::NegativeCount {
            row: 4,
            col: 0,
            value: -0.3
        })
    );
}

#[test]
fn non_finite_tau() {
    let x = data();
    let g = gsva(
        x.view(),
        &[vec![0]],
        &GsvaOptions {
            tau: f64::NAN,
            ..GsvaOptions::default()
        },
    );
    let s = ssgsea(
        x.view(),
        &[vec![0]],
        &SsgseaOptions {
            tau: f64::INFINITY,
            ..SsgseaOptions::default()
        },
    );
    for r in [g, s] {
        assert!(matches!(
            r,
            Err(GsvaError::InvalidOption { option: "tau", .. })
        ));
    }
}

#[test]
fn error_messages_say_what_to_do() {
    let msg = GsvaError::ConstantRow { row: 3, sd: 0.0 }.to_string();
    assert!(msg.contains("filter_constant_rows"), "{msg}");
    let msg = GsvaError::EmptySet { set: 2 }.to_string();
    assert!(msg.contains("drop sets"), "{msg}");
}
