//! The table of results for one coefficient, as limma's `topTable`.

use crate::ebayes::EbayesFit;
use crate::error::LimmaError;
use npxkit_stats::adjust::{p_adjust, AdjustMethod};
use npxkit_stats::dist::{qt, Tail};

/// One assay's row of [`top_table`], with limma's column meanings.
#[derive(Debug, Clone, PartialEq)]
pub struct TopTableRow {
    /// Row of the assay in the input matrix (0-based).
    pub index: usize,
    /// Estimated coefficient or contrast (`logFC`).
    pub log_fc: f64,
    /// Lower confidence limit of `logFC` (`CI.L`).
    pub ci_l: f64,
    /// Upper confidence limit of `logFC` (`CI.R`).
    pub ci_r: f64,
    /// Average of the observed values (`AveExpr`).
    pub ave_expr: f64,
    /// Moderated t-statistic (`t`).
    pub t: f64,
    /// Raw p-value (`P.Value`).
    pub p_value: f64,
    /// Adjusted p-value (`adj.P.Val`).
    pub adj_p_val: f64,
    /// Log-odds of differential expression (`B`); `None` after `treat`.
    pub b: Option<f64>,
    /// Total degrees of freedom of the moderated t (`df.total`).
    pub df_total: f64,
}

/// All assays' results for coefficient `coef`, sorted by p-value with ties in
/// input order, as limma's `topTable(fit, coef, number = Inf, sort.by = "P",
/// adjust.method, confint = confint_level)`.
///
/// Confidence limits are logFC ± qt((1 + level)/2, df.total) · sqrt(s2.post) ·
/// stdev.unscaled. Rows with a NaN p-value come last.
///
/// # Errors
/// A coefficient index out of range, or a confidence level outside (0, 1).
///
/// # References
/// Smyth, G. K. (2004). doi:10.2202/1544-6115.1027
pub fn top_table(
    eb: &EbayesFit,
    coef: usize,
    adjust: AdjustMethod,
    confint_level: f64,
) -> Result<Vec<TopTableRow>, LimmaError> {
    let mut rows = table_rows(eb, coef, adjust, confint_level)?;
    rows.sort_by(|a, b| match (a.p_value.is_nan(), b.p_value.is_nan()) {
        (false, false) => a.p_value.total_cmp(&b.p_value).then(a.index.cmp(&b.index)),
        (x, y) => x.cmp(&y).then(a.index.cmp(&b.index)),
    });
    Ok(rows)
}

/// Rows of [`top_table`] in input order (limma's `sort.by = "none"`).
///
/// # Errors
/// As [`top_table`].
pub fn table_rows(
    eb: &EbayesFit,
    coef: usize,
    adjust: AdjustMethod,
    confint_level: f64,
) -> Result<Vec<TopTableRow>, LimmaError> {
    let ncoef = eb.fit.n_coefs();
    if coef >= ncoef {
        return Err(LimmaError::CoefOutOfRange {
            index: coef,
            coefs: ncoef,
        });
    }
    if !(confint_level > 0.0 && confint_level < 1.0) {
        return Err(LimmaError::InvalidOption {
            option: "confint_level",
            reason: format!("{confint_level} is not strictly between 0 and 1"),
        });
    }
    let p: Vec<f64> = eb.p_value.column(coef).to_vec();
    let adj = p_adjust(&p, adjust);
    let alpha = (1.0 + confint_level) / 2.0;
    // df.total takes few distinct values (residual df differ only by missingness),
    // so each quantile is solved once.
    let mut quantiles: std::collections::HashMap<u64, f64> = std::collections::HashMap::new();
    let rows = (0..eb.fit.n_assays())
        .map(|i| {
            let log_fc = eb.fit.coefficients[[i, coef]];
            let df = eb.df_total[i];
            let q = *quantiles
                .entry(df.to_bits())
                .or_insert_with(|| qt(alpha, df, Tail::Lower));
            let margin = eb.s2_post[i].sqrt() * eb.fit.stdev_unscaled[[i, coef]] * q;
            TopTableRow {
                index: i,
                log_fc,
                ci_l: log_fc - margin,
                ci_r: log_fc + margin,
                ave_expr: eb.fit.amean[i],
                t: eb.t[[i, coef]],
                p_value: p[i],
                adj_p_val: adj[i],
                b: eb.lods.as_ref().map(|l| l[[i, coef]]),
                df_total: eb.df_total[i],
            }
        })
        .collect();
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ebayes, lm_fit, EbayesOptions};
    use ndarray::array;

    #[test]
    fn test_top_table_sorted_by_p_then_index() {
        let y = array![
            [1.0, 2.0, 3.0, 5.0, 6.0, 8.0],
            [1.0, 2.0, 3.0, 5.0, 6.0, 8.0],
            [2.0, 2.5, 2.2, 2.1, 2.6, 2.4],
            [f64::NAN, f64::NAN, f64::NAN, 9.0, 7.0, 8.0]
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
        let eb = ebayes(&fit, &EbayesOptions::default()).unwrap();
        let rows = top_table(&eb, 1, AdjustMethod::BH, 0.95).unwrap();
        let order: Vec<usize> = rows.iter().map(|r| r.index).collect();
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert!(rows[3].p_value.is_nan() && rows[3].adj_p_val.is_nan());
        assert!(rows[0].ci_l < rows[0].log_fc && rows[0].log_fc < rows[0].ci_r);
        assert!(top_table(&eb, 2, AdjustMethod::BH, 0.95).is_err());
        assert!(top_table(&eb, 1, AdjustMethod::BH, 1.0).is_err());
    }
}
