//! Average-linkage hierarchical clustering, as R's `hclust(d, method = "average")`.

/// The dissimilarity between two rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distance {
    /// Euclidean distance as R's `dist()`: over the columns where both rows are finite,
    /// scaled up by `sqrt(ncol / n_used)` when some are missing.
    Euclidean,
    /// `1 − r`, Pearson's correlation over the columns where both rows are finite
    /// (`1 - cor(t(x), use = "pairwise")`).
    Correlation,
}

/// The result of [`hclust`], with R's conventions.
#[derive(Clone, Debug, PartialEq)]
pub struct Hclust {
    /// R's `$merge`: row `i` joins two clusters at step `i + 1`; a negative entry `-k` is
    /// the singleton row `k` (1-based), a positive entry `m` the cluster made at step `m`.
    pub merge: Vec<[isize; 2]>,
    /// R's `$height`: the dissimilarity at which each merge happened.
    pub height: Vec<f64>,
    /// R's `$order` but 0-based: the leaf order of the dendrogram.
    pub order: Vec<usize>,
}

/// Pairwise dissimilarities between the rows of `rows` (all of the same length).
/// Dissimilarities that cannot be computed (no shared finite columns, a constant row for
/// `Correlation`) are set to the largest finite dissimilarity (or 1 when there is none),
/// so such rows join last rather than poisoning the clustering.
pub fn dissimilarity(rows: &[Vec<f64>], metric: Distance) -> Vec<Vec<f64>> {
    let n = rows.len();
    let mut d = vec![vec![0.0; n]; n];
    let mut max = f64::NEG_INFINITY;
    for i in 0..n {
        for j in (i + 1)..n {
            let v = pair(&rows[i], &rows[j], metric);
            if v.is_finite() {
                max = max.max(v);
            }
            d[i][j] = v;
            d[j][i] = v;
        }
    }
    let fill = if max.is_finite() { max } else { 1.0 };
    for row in d.iter_mut() {
        for v in row.iter_mut() {
            if !v.is_finite() {
                *v = fill;
            }
        }
    }
    d
}

fn pair(a: &[f64], b: &[f64], metric: Distance) -> f64 {
    let m = a.len().min(b.len());
    let both: Vec<(f64, f64)> = (0..m)
        .filter(|&k| a[k].is_finite() && b[k].is_finite())
        .map(|k| (a[k], b[k]))
        .collect();
    if both.is_empty() {
        return f64::NAN;
    }
    match metric {
        Distance::Euclidean => {
            let s: f64 = both.iter().map(|(x, y)| (x - y) * (x - y)).sum();
            (s * m as f64 / both.len() as f64).sqrt()
        }
        Distance::Correlation => {
            let k = both.len() as f64;
            let mx = both.iter().map(|p| p.0).sum::<f64>() / k;
            let my = both.iter().map(|p| p.1).sum::<f64>() / k;
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for (x, y) in &both {
                sxy += (x - mx) * (y - my);
                sxx += (x - mx) * (x - mx);
                syy += (y - my) * (y - my);
            }
            1.0 - sxy / (sxx * syy).sqrt()
        }
    }
}

/// Average-linkage (UPGMA) clustering of the rows of `rows`, as R's
/// `hclust(dist(x), "average")` (or with `1 - cor` for [`Distance::Correlation`]).
/// Deterministic: among equal dissimilarities the pair with the lowest row indices merges
/// first. Merge rows and the leaf order follow R's `hcass2` conventions.
pub fn hclust(rows: &[Vec<f64>], metric: Distance) -> Hclust {
    let d = dissimilarity(rows, metric);
    hclust_dissimilarity(&d)
}

/// [`hclust`] on a precomputed symmetric dissimilarity matrix.
pub fn hclust_dissimilarity(d: &[Vec<f64>]) -> Hclust {
    let n = d.len();
    let mut d: Vec<Vec<f64>> = d.to_vec();
    let mut active = vec![true; n];
    let mut size = vec![1usize; n];
    let mut id: Vec<isize> = (0..n).map(|i| -(i as isize + 1)).collect();
    let mut merge = Vec::with_capacity(n.saturating_sub(1));
    let mut height = Vec::with_capacity(n.saturating_sub(1));
    for step in 0..n.saturating_sub(1) {
        let mut best = (usize::MAX, usize::MAX, f64::INFINITY);
        for i in 0..n {
            if !active[i] {
                continue;
            }
            for j in (i + 1)..n {
                if active[j] && (d[i][j] < best.2 || best.0 == usize::MAX) {
                    best = (i, j, d[i][j]);
                }
            }
        }
        let (i, j, h) = best;
        let (a, b) = (id[i], id[j]);
        // hcass2: singleton first; two clusters in step order; two singletons by index.
        let pair = match (a < 0, b < 0) {
            (false, true) => [b, a],
            (false, false) => [a.min(b), a.max(b)],
            _ => [a, b],
        };
        merge.push(pair);
        height.push(h);
        let (ni, nj) = (size[i] as f64, size[j] as f64);
        for k in 0..n {
            if active[k] && k != i && k != j {
                let v = (ni * d[i][k] + nj * d[j][k]) / (ni + nj);
                d[i][k] = v;
                d[k][i] = v;
            }
        }
        active[j] = false;
        size[i] += size[j];
        id[i] = step as isize + 1;
    }
    let order = if n == 0 {
        Vec::new()
    } else if n == 1 {
        vec![0]
    } else {
        let mut order = Vec::with_capacity(n);
        let mut stack = vec![merge.len() as isize];
        while let Some(x) = stack.pop() {
            if x < 0 {
                order.push((-x - 1) as usize);
            } else {
                let [l, r] = merge[x as usize - 1];
                stack.push(r);
                stack.push(l);
            }
        }
        order
    };
    Hclust {
        merge,
        height,
        order,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_linkage_by_hand() {
        // x = c(0, 1, 5, 7, 20); hclust(dist(x), "average"):
        // merge (-1,-2) h 1; (-3,-4) h 2; (1,2) h (5+7+4+6)/4 = 5.5;
        // (-5,3) h (20+19+15+13)/4 = 16.75; order 5 1 2 3 4
        let rows: Vec<Vec<f64>> = [0.0, 1.0, 5.0, 7.0, 20.0]
            .iter()
            .map(|&v| vec![v])
            .collect();
        let h = hclust(&rows, Distance::Euclidean);
        assert_eq!(h.merge, vec![[-1, -2], [-3, -4], [1, 2], [-5, 3]]);
        assert_eq!(h.height, vec![1.0, 2.0, 5.5, 16.75]);
        assert_eq!(h.order, vec![4, 0, 1, 2, 3]);
    }

    #[test]
    fn correlation_distance() {
        // rows 0 and 2 are perfectly correlated, row 1 anti-correlated with both.
        let rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![3.0, 2.0, 1.0],
            vec![10.0, 20.0, 30.5],
        ];
        let d = dissimilarity(&rows, Distance::Correlation);
        assert!(d[0][2] < 1e-3);
        assert!((d[0][1] - 2.0).abs() < 1e-12);
        let h = hclust(&rows, Distance::Correlation);
        assert_eq!(h.merge[0], [-1, -3]);
        assert_eq!(h.merge[1], [-2, 1]);
        assert_eq!(h.order, vec![1, 0, 2]);
    }

    #[test]
    fn euclidean_with_missing_scales_like_r() {
        // R: dist(rbind(c(0, 0, NA), c(3, 4, 1))) = sqrt(25 * 3/2)
        let d = dissimilarity(
            &[vec![0.0, 0.0, f64::NAN], vec![3.0, 4.0, 1.0]],
            Distance::Euclidean,
        );
        assert!((d[0][1] - (25.0f64 * 1.5).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn degenerate_sizes() {
        assert!(hclust(&[], Distance::Euclidean).order.is_empty());
        assert_eq!(hclust(&[vec![1.0]], Distance::Euclidean).order, vec![0]);
    }
}
