//! The one symmetric eigensolver of the workspace: Householder tridiagonalisation and
//! the implicit QL algorithm (the EISPACK `tred2`/`tql2` pair, as in Numerical Recipes
//! and JAMA). limma's moderated F and duplicateCorrelation, the mixed models of
//! `npxkit-lmm`, QC's PCA and fry's singular values all use it.
//!
//! Why hand-written: the matrices are small (a few to a few hundred rows) and a LAPACK
//! binding would add a system library to every build; a hundred lines of a textbook
//! algorithm, exact to rounding, serve every caller.

use ndarray::{Array2, Axis};

/// Eigenvalues and eigenvectors (columns) of a symmetric matrix: Householder
/// reduction to tridiagonal form, then the implicit QL algorithm (the EISPACK
/// `tred2`/`tql2` pair). Eigenvalues come in no particular order.
pub fn symmetric_eigen(a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    if n == 0 {
        return (Vec::new(), a);
    }
    // Work on rows of `v` (row-major), V[i][j] = v[i * n + j].
    let mut v: Vec<f64> = a.iter().copied().collect();
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    tridiagonalize(&mut v, &mut d, &mut e, n);
    ql_implicit(&mut v, &mut d, &mut e, n);
    (d, Array2::from_shape_vec((n, n), v).expect("n × n"))
}

/// Householder tridiagonalisation with accumulation of the transforms.
fn tridiagonalize(v: &mut [f64], d: &mut [f64], e: &mut [f64], n: usize) {
    for j in 0..n {
        d[j] = v[(n - 1) * n + j];
    }
    for i in (1..n).rev() {
        let mut scale = 0.0;
        let mut h = 0.0;
        for dk in d.iter().take(i) {
            scale += dk.abs();
        }
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[(i - 1) * n + j];
                v[i * n + j] = 0.0;
                v[j * n + i] = 0.0;
            }
        } else {
            for dk in d.iter_mut().take(i) {
                *dk /= scale;
                h += *dk * *dk;
            }
            let mut f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].iter_mut().for_each(|x| *x = 0.0);
            for j in 0..i {
                f = d[j];
                v[j * n + i] = f;
                g = e[j] + v[j * n + j] * f;
                for k in (j + 1)..i {
                    g += v[k * n + j] * d[k];
                    e[k] += v[k * n + j] * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                f = d[j];
                g = e[j];
                for k in j..i {
                    v[k * n + j] -= f * e[k] + g * d[k];
                }
                d[j] = v[(i - 1) * n + j];
                v[i * n + j] = 0.0;
            }
        }
        d[i] = h;
    }
    for i in 0..(n - 1) {
        v[(n - 1) * n + i] = v[i * n + i];
        v[i * n + i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[k * n + i + 1] / h;
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += v[k * n + i + 1] * v[k * n + j];
                }
                for k in 0..=i {
                    v[k * n + j] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[k * n + i + 1] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[(n - 1) * n + j];
        v[(n - 1) * n + j] = 0.0;
    }
    v[(n - 1) * n + n - 1] = 1.0;
    e[0] = 0.0;
}

/// Implicit QL iterations on the tridiagonal matrix (diagonal `d`, subdiagonal
/// `e`), rotating the accumulated transforms in `v`.
fn ql_implicit(v: &mut [f64], d: &mut [f64], e: &mut [f64], n: usize) {
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1 = 0.0f64;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            let mut iterations = 0;
            loop {
                iterations += 1;
                let mut g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for di in d.iter_mut().skip(l + 2) {
                    *di -= h;
                }
                f += h;
                p = d[m];
                let mut c = 1.0;
                let mut c2 = c;
                let mut c3 = c;
                let el1 = e[l + 1];
                let mut s = 0.0;
                let mut s2 = 0.0;
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    for k in 0..n {
                        let row = k * n;
                        h = v[row + i + 1];
                        v[row + i + 1] = s * v[row + i] + c * h;
                        v[row + i] = c * v[row + i] - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 || iterations > 60 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
}

/// Eigenvalues in decreasing order and their eigenvectors (columns); ties keep the
/// solver's order, so the result is deterministic.
pub fn symmetric_eigen_sorted(a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let (vals, vecs) = symmetric_eigen(a);
    let mut idx: Vec<usize> = (0..vals.len()).collect();
    idx.sort_by(|&x, &y| vals[y].total_cmp(&vals[x]).then(x.cmp(&y)));
    let values: Vec<f64> = idx.iter().map(|&i| vals[i]).collect();
    (values, vecs.select(Axis(1), &idx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_symmetric_eigen_reconstructs() {
        let a = array![
            [4.0, 1.0, -2.0, 2.0],
            [1.0, 2.0, 0.0, 1.0],
            [-2.0, 0.0, 3.0, -2.0],
            [2.0, 1.0, -2.0, -1.0]
        ];
        let (d, v) = symmetric_eigen(a.clone());
        let back = v
            .dot(&Array2::from_diag(&ndarray::Array1::from(d)))
            .dot(&v.t());
        for (x, y) in back.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-13);
        }
        let eye = v.t().dot(&v);
        for i in 0..4 {
            for j in 0..4 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((eye[[i, j]] - want).abs() < 1e-13);
            }
        }
    }

    #[test]
    fn test_sorted_is_decreasing_and_matches() {
        let a = array![[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]];
        let (d, v) = symmetric_eigen_sorted(a.clone());
        assert!(d.windows(2).all(|w| w[0] >= w[1]));
        for (k, &l) in d.iter().enumerate() {
            let av = a.dot(&v.column(k));
            for (x, y) in av.iter().zip(v.column(k)) {
                assert!((x - l * y).abs() < 1e-12);
            }
        }
        let (empty, _) = symmetric_eigen_sorted(Array2::zeros((0, 0)));
        assert!(empty.is_empty());
    }
}
