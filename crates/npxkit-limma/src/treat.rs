//! Moderated t-tests relative to a fold-change threshold, as limma's `treat`.

use crate::ebayes::{empty, moderate, EbayesDiagnostics, EbayesFit, EbayesOptions, Moderated};
use crate::error::LimmaError;
use crate::lm_fit::LinearModelFit;
use npxkit_stats::dist::{pt, Tail};

/// Tests whether each |coefficient| exceeds `lfc`, with empirically Bayes
/// moderated variances, as limma's `treat(fit, lfc = lfc)`.
///
/// The p-value is P(T > (|b| − lfc)/se) + P(T > (|b| + lfc)/se) on the total
/// df; `t` is (|b| − lfc)/se with the sign of b when |b| > lfc, else 0. The
/// variance prior uses `opts.trend`, `opts.robust` and `opts.winsor_tail_p`;
/// `proportion` and `stdev_coef_lim` play no part (no B-statistic).
///
/// # Errors
/// As [`crate::ebayes`], and a negative or non-finite `lfc`.
///
/// # References
/// McCarthy, D. J., & Smyth, G. K. (2009). Testing significance relative to a
/// fold-change threshold is a TREAT. *Bioinformatics* 25, 765–771.
/// doi:10.1093/bioinformatics/btp053
pub fn treat(
    fit: &LinearModelFit,
    lfc: f64,
    opts: &EbayesOptions,
) -> Result<EbayesFit, LimmaError> {
    if !lfc.is_finite() {
        return Err(LimmaError::InvalidOption {
            option: "lfc",
            reason: format!("{lfc} is not finite"),
        });
    }
    let lfc = lfc.abs();
    if fit.n_assays() == 0 {
        return Ok(EbayesFit {
            lods: None,
            var_prior: Vec::new(),
            treat_lfc: Some(lfc),
            ..empty(fit, opts.proportion)
        });
    }
    let Moderated { squeezed, df_total } = moderate(fit, opts)?;
    let mut t = fit.coefficients.clone();
    let mut p_value = fit.coefficients.clone();
    for ((i, j), b) in fit.coefficients.indexed_iter() {
        let se = fit.stdev_unscaled[[i, j]] * squeezed.var_post[i].sqrt();
        let right = (b.abs() - lfc) / se;
        let left = (b.abs() + lfc) / se;
        let d = df_total[i];
        p_value[[i, j]] = pt(right, d, Tail::Upper) + pt(left, d, Tail::Upper);
        t[[i, j]] = if b.is_nan() {
            f64::NAN
        } else if *b > lfc {
            right.max(0.0)
        } else if *b < -lfc {
            -right.max(0.0)
        } else {
            0.0
        };
    }
    Ok(EbayesFit {
        fit: fit.clone(),
        df_prior: squeezed.df_prior,
        s2_prior: squeezed.var_prior,
        s2_post: squeezed.var_post,
        df_total,
        t,
        p_value,
        lods: None,
        var_prior: Vec::new(),
        proportion: opts.proportion,
        treat_lfc: Some(lfc),
        diagnostics: EbayesDiagnostics {
            squeeze: squeezed.diagnostics,
            var_prior_failed: Vec::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lm_fit::lm_fit;
    use ndarray::array;

    #[test]
    fn test_treat_zero_lfc_matches_ebayes_p_values() {
        let y = array![
            [1.0, 2.0, 3.0, 5.0, 6.0, 8.0],
            [2.0, 2.5, 2.2, 2.1, 2.6, 2.4],
            [4.0, 3.0, 5.0, 9.0, 7.0, 8.0]
        ];
        let d = array![
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [1.0, 1.0],
            [1.0, 1.0]
        ];
        let fit = lm_fit(y.view(), d.view(), &["a".to_string(), "b".to_string()]).unwrap();
        let opts = EbayesOptions::default();
        let tr = treat(&fit, 0.0, &opts).unwrap();
        let eb = crate::ebayes(&fit, &opts).unwrap();
        for (a, b) in tr.p_value.iter().zip(eb.p_value.iter()) {
            assert!(((a - b) / b).abs() < 1e-12);
        }
        assert!(tr.lods.is_none());
        let tr = treat(&fit, 10.0, &opts).unwrap();
        assert!(tr.t.iter().all(|&t| t == 0.0));
        assert!(treat(&fit, f64::NAN, &opts).is_err());
    }
}
