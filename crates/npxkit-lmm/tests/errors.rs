//! Bad input gives a named `LmmError`, never a panic; degenerate but valid
//! input (a singular fit) is fitted and flagged.

use ndarray::Array2;
use npxkit_lmm::{fit_assays, CovReduce, LmmError, LmmModel, ModelSpec, Term, Variable};

/// 6 subjects × 2 visits.
fn paired(reml: bool) -> LmmModel {
    let subject: Vec<String> = (0..12).map(|i| format!("s{}", i % 6)).collect();
    let time: Vec<&str> = (0..12).map(|i| if i < 6 { "V1" } else { "V2" }).collect();
    LmmModel::new(ModelSpec {
        variables: vec![
            Variable::factor_from_labels("time", &time),
            Variable::factor_from_labels("subject", &subject),
        ],
        fixed: vec![Term::main("time")],
        random: vec!["subject".into()],
        reml,
    })
    .unwrap()
}

fn y12() -> Vec<f64> {
    vec![1.0, 2.5, 0.3, 1.7, 2.2, 0.9, 1.6, 2.9, 0.8, 2.6, 2.1, 1.5]
}

#[test]
fn response_length() {
    let m = paired(false);
    assert_eq!(
        m.fit(&[1.0; 5]).unwrap_err(),
        LmmError::ResponseLength {
            len: 5,
            samples: 12
        }
    );
}

#[test]
fn empty_level() {
    let m = paired(false);
    let mut y = y12();
    y[6..].iter_mut().for_each(|v| *v = f64::NAN);
    assert_eq!(
        m.fit(&y).unwrap_err(),
        LmmError::EmptyLevel {
            factor: "time".into(),
            level: "V2".into()
        }
    );
}

#[test]
fn too_few_observations_and_levels() {
    let m = paired(false);
    // s0 at both visits and s1 at V1: the random intercepts fit exactly, σ → 0.
    let mut y = vec![f64::NAN; 12];
    y[0] = 1.0;
    y[6] = 2.0;
    y[1] = 3.0;
    assert_eq!(m.fit(&y).unwrap_err(), LmmError::UnboundedTheta);
    // Two observations for two fixed effects.
    let mut y = vec![f64::NAN; 12];
    y[0] = 1.0;
    y[6] = 2.0;
    assert_eq!(
        m.fit(&y).unwrap_err(),
        LmmError::TooFewObservations { nobs: 2, params: 2 }
    );
    // s0, s1 at V1 and s2 at V2: 3 levels for 3 observations (lme4's check.nobs.vs.nlev).
    let mut y = vec![f64::NAN; 12];
    y[0] = 1.0;
    y[1] = 2.0;
    y[8] = 2.5;
    assert_eq!(
        m.fit(&y).unwrap_err(),
        LmmError::GroupingTooManyLevels {
            name: "subject".into(),
            levels: 3,
            nobs: 3
        }
    );
}

#[test]
fn grouping_with_one_level() {
    let time: Vec<&str> = (0..6).map(|i| if i < 3 { "V1" } else { "V2" }).collect();
    let m = LmmModel::new(ModelSpec {
        variables: vec![
            Variable::factor_from_labels("time", &time),
            Variable::factor_from_labels("subject", &["a"; 6]),
        ],
        fixed: vec![Term::main("time")],
        random: vec!["subject".into()],
        reml: false,
    })
    .unwrap();
    assert_eq!(
        m.fit(&[1.0, 2.0, 3.0, 4.0, 5.0, 7.0]).unwrap_err(),
        LmmError::GroupingTooFewLevels("subject".into())
    );
}

#[test]
fn rank_deficient() {
    // `dose` equals the V2 indicator: collinear with timeV2.
    let subject: Vec<String> = (0..12).map(|i| format!("s{}", i % 6)).collect();
    let time: Vec<&str> = (0..12).map(|i| if i < 6 { "V1" } else { "V2" }).collect();
    let dose: Vec<f64> = (0..12).map(|i| if i < 6 { 0.0 } else { 1.0 }).collect();
    let m = LmmModel::new(ModelSpec {
        variables: vec![
            Variable::factor_from_labels("time", &time),
            Variable::numeric("dose", dose),
            Variable::factor_from_labels("subject", &subject),
        ],
        fixed: vec![Term::main("time"), Term::main("dose")],
        random: vec!["subject".into()],
        reml: false,
    })
    .unwrap();
    assert_eq!(
        m.fit(&y12()).unwrap_err(),
        LmmError::RankDeficient {
            column: "dose".into()
        }
    );
}

#[test]
fn model_errors() {
    let subject: Vec<&str> = vec!["a", "b", "a", "b"];
    let time = vec!["V1", "V1", "V2", "V2"];
    let base = |fixed: Vec<Term>, random: Vec<String>, extra: Vec<Variable>| {
        let mut variables = vec![
            Variable::factor_from_labels("time", &time),
            Variable::factor_from_labels("subject", &subject),
        ];
        variables.extend(extra);
        LmmModel::new(ModelSpec {
            variables,
            fixed,
            random,
            reml: false,
        })
    };
    assert_eq!(
        base(vec![Term::main("dose")], vec!["subject".into()], vec![]).unwrap_err(),
        LmmError::UnknownVariable("dose".into())
    );
    assert_eq!(
        base(vec![Term::main("time")], vec![], vec![]).unwrap_err(),
        LmmError::NoRandomEffect
    );
    assert_eq!(
        base(
            vec![Term::main("time"), Term::main("time")],
            vec!["subject".into()],
            vec![]
        )
        .unwrap_err(),
        LmmError::DuplicateTerm("time".into())
    );
    assert_eq!(
        base(
            vec![Term::main("time"), Term::interaction(&["time", "arm"])],
            vec!["subject".into()],
            vec![Variable::factor_from_labels("arm", &["x", "y", "x", "y"])]
        )
        .unwrap_err(),
        LmmError::MissingMainEffect("time:arm".into())
    );
    assert_eq!(
        base(
            vec![Term::main("time")],
            vec!["age".into()],
            vec![Variable::numeric("age", vec![1.0, 2.0, 3.0, 4.0])]
        )
        .unwrap_err(),
        LmmError::NotAFactor("age".into())
    );
    assert_eq!(
        base(
            vec![Term::main("age")],
            vec!["subject".into()],
            vec![Variable::numeric("age", vec![1.0, f64::NAN, 3.0, 4.0])]
        )
        .unwrap_err(),
        LmmError::NonFiniteCovariate {
            name: "age".into(),
            sample: 1
        }
    );
    assert_eq!(
        base(
            vec![Term::main("time")],
            vec!["subject".into()],
            vec![Variable::numeric("age", vec![1.0, 2.0])]
        )
        .unwrap_err(),
        LmmError::LengthMismatch {
            name: "age".into(),
            len: 2,
            samples: 4
        }
    );
    assert_eq!(
        base(
            vec![Term::main("one")],
            vec!["subject".into()],
            vec![Variable::factor_from_labels("one", &["x"; 4])]
        )
        .unwrap_err(),
        LmmError::FactorTooFewLevels("one".into())
    );
}

#[test]
fn bad_emmeans_spec() {
    let m = paired(false);
    let fit = m.fit(&y12()).unwrap();
    assert_eq!(
        fit.emmeans(&m, &["subject"], CovReduce::Mean, 0.95)
            .unwrap_err(),
        LmmError::BadSpec("subject".into())
    );
}

#[test]
fn constant_response_is_an_error() {
    let m = paired(false);
    assert_eq!(m.fit(&[2.0; 12]).unwrap_err(), LmmError::NonFiniteDeviance);
}

/// `fit_assays` keeps row order, reports per-row errors and gives the same
/// numbers as one-by-one fits whatever the thread count.
#[test]
fn fit_assays_row_order_and_errors() {
    let m = paired(true);
    let mut y = Array2::<f64>::zeros((3, 12));
    for (j, v) in y12().iter().enumerate() {
        y[[0, j]] = *v;
        y[[1, j]] = if j < 6 { f64::NAN } else { *v };
        y[[2, j]] = v * 2.0 + (j % 3) as f64;
    }
    let spec = vec![vec!["time".to_string()]];
    let out = fit_assays(&m, y.view(), &spec, CovReduce::Mean);
    assert!(out[1].is_err());
    for i in [0, 2] {
        let r = out[i].as_ref().unwrap();
        let one = m.fit(&y.row(i).to_vec()).unwrap();
        assert_eq!(r.fit.beta, one.beta);
        assert_eq!(r.anova, one.anova(&m));
        assert_eq!(r.posthoc[0].contrasts[0].contrast, "V1 - V2");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = pool.install(|| fit_assays(&m, y.view(), &spec, CovReduce::Mean));
    assert_eq!(
        serial[2].as_ref().unwrap().anova,
        out[2].as_ref().unwrap().anova
    );
}
