//! Box-plot statistics with R's definitions.

/// Tukey's five-number summary as R's `fivenum`: minimum, lower hinge, median, upper
/// hinge, maximum. Non-finite values are dropped (R drops `NA`); `None` when nothing is
/// left.
pub fn fivenum(x: &[f64]) -> Option<[f64; 5]> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    // R: n4 <- floor((n + 3)/2)/2; d <- c(1, n4, (n + 1)/2, n + 1 - n4, n)
    let n4 = ((n + 3.0) / 2.0).floor() / 2.0;
    let d = [1.0, n4, (n + 1.0) / 2.0, n + 1.0 - n4, n];
    let at = |d: f64| 0.5 * (v[d.floor() as usize - 1] + v[d.ceil() as usize - 1]);
    Some([at(d[0]), at(d[1]), at(d[2]), at(d[3]), at(d[4])])
}

/// The statistics of one box, as R's `boxplot.stats(x, coef)`.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxStats {
    /// Lower whisker end, lower hinge, median, upper hinge, upper whisker end (R's `$stats`).
    pub stats: [f64; 5],
    /// Number of finite values (R's `$n`).
    pub n: usize,
    /// Values beyond the whiskers, in input order (R's `$out`).
    pub out: Vec<f64>,
}

/// R's `boxplot.stats`: hinges from [`fivenum`], whiskers to the most extreme values
/// within `coef` × the hinge spread (1.5 in R's `boxplot`), the rest are outliers. With
/// `coef = 0` the whiskers reach the extremes and nothing is an outlier.
pub fn boxplot_stats(x: &[f64], coef: f64) -> Option<BoxStats> {
    let mut stats = fivenum(x)?;
    let finite: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    let mut out = Vec::new();
    if coef > 0.0 {
        let iqr = stats[3] - stats[1];
        let (lo, hi) = (stats[1] - coef * iqr, stats[3] + coef * iqr);
        out = finite
            .iter()
            .copied()
            .filter(|&v| v < lo || v > hi)
            .collect();
        if !out.is_empty() {
            let inside = finite.iter().copied().filter(|&v| v >= lo && v <= hi);
            let (mn, mx) = inside.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
            stats[0] = mn;
            stats[4] = mx;
        }
    }
    Some(BoxStats {
        stats,
        n: finite.len(),
        out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fivenum_matches_r() {
        // R: fivenum(c(1,2,3,4)) = 1.0 1.5 2.5 3.5 4.0
        assert_eq!(
            fivenum(&[4.0, 1.0, 3.0, 2.0]).unwrap(),
            [1.0, 1.5, 2.5, 3.5, 4.0]
        );
        // R: fivenum(1:5) = 1 2 3 4 5
        assert_eq!(
            fivenum(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap(),
            [1.0, 2.0, 3.0, 4.0, 5.0]
        );
        // R: fivenum(1:6) = 1 2 3.5 5 6
        assert_eq!(
            fivenum(&[1., 2., 3., 4., 5., 6.]).unwrap(),
            [1.0, 2.0, 3.5, 5.0, 6.0]
        );
        // R: fivenum(c(1,2,3,4,5,6,7,100)) = 1.0 2.5 4.5 6.5 100.0
        assert_eq!(
            fivenum(&[1., 2., 3., 4., 5., 6., 7., 100.]).unwrap(),
            [1.0, 2.5, 4.5, 6.5, 100.0]
        );
        // one value, NaN dropped
        assert_eq!(fivenum(&[f64::NAN, 7.0]).unwrap(), [7.0; 5]);
        assert!(fivenum(&[]).is_none());
        assert!(fivenum(&[f64::NAN]).is_none());
    }

    #[test]
    fn boxplot_stats_matches_r() {
        // R: boxplot.stats(c(1,2,3,4,5,6,7,100))
        //   $stats 1.0 2.5 4.5 6.5 7.0 ; $n 8 ; $out 100
        let b = boxplot_stats(&[1., 2., 3., 4., 5., 6., 7., 100.], 1.5).unwrap();
        assert_eq!(b.stats, [1.0, 2.5, 4.5, 6.5, 7.0]);
        assert_eq!(b.n, 8);
        assert_eq!(b.out, vec![100.0]);
        // R: boxplot.stats(c(-50, 1:9, NA)) : fivenum(c(-50,1:9)) = -50 2 4.5 7 9
        //   IQR 5, lower fence -5.5 -> out -50, stats 1 2 4.5 7 9, n 10
        let b = boxplot_stats(&[-50., 1., 2., 3., 4., 5., 6., 7., 8., 9., f64::NAN], 1.5).unwrap();
        assert_eq!(b.stats, [1.0, 2.0, 4.5, 7.0, 9.0]);
        assert_eq!(b.n, 10);
        assert_eq!(b.out, vec![-50.0]);
        // coef = 0: no outliers, whiskers at the extremes
        let b = boxplot_stats(&[1., 2., 3., 4., 5., 6., 7., 100.], 0.0).unwrap();
        assert_eq!(b.stats, [1.0, 2.5, 4.5, 6.5, 100.0]);
        assert!(b.out.is_empty());
    }
}
