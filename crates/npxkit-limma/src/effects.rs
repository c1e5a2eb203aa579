//! Orthogonal effects of a linear model: Qᵀy from R's `qr.qty`, the
//! building block of limma's gene-set tests (`camera`, `fry`, `roast`).

use crate::error::LimmaError;
use crate::qr::{Qr, QR_TOL};
use ndarray::{Array2, ArrayView2};

/// Qᵀy for every assay, with Q from R's `qr(design)` (LINPACK `dqrdc2`).
///
/// The first `rank` effects of an assay span the fitted values, the rest the
/// residual space. limma's `camera` and `.lmEffects` (behind `fry`) rotate
/// each assay's values this way; the individual residual effects depend on
/// the Householder vectors, so they are computed exactly as R does.
#[derive(Debug, Clone, PartialEq)]
pub struct LmEffects {
    /// Qᵀy, assays × samples.
    pub effects: Array2<f64>,
    /// Rank of the design.
    pub rank: usize,
    /// Diagonal of R (`diag(qr$qr)`) in pivoted order, length `min(n, p)`.
    pub r_diag: Vec<f64>,
}

/// Computes Qᵀy for every row of `y` (assays × samples, no missing values)
/// with the QR factorisation of `design` (samples × coefficients), as R's
/// `qr.qty(qr(design), t(y))`, transposed.
///
/// # Errors
/// Mismatched dimensions, an empty or non-finite design, or a missing value in `y`.
///
/// # References
/// Wu, D., Lim, E., Vaillant, F., Asselin-Labat, M.-L., Visvader, J. E. and
/// Smyth, G. K. (2010). ROAST: rotation gene set tests for complex
/// microarray experiments. *Bioinformatics* 26, 2176–2182.
/// doi:10.1093/bioinformatics/btq401
pub fn lm_effects(y: ArrayView2<f64>, design: ArrayView2<f64>) -> Result<LmEffects, LimmaError> {
    if design.nrows() != y.ncols() {
        return Err(LimmaError::DesignRowsMismatch {
            design_rows: design.nrows(),
            samples: y.ncols(),
        });
    }
    if design.ncols() == 0 {
        return Err(LimmaError::EmptyDesign);
    }
    if let Some(((row, col), _)) = design.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LimmaError::NonFiniteDesign { row, col });
    }
    if let Some(((row, col), _)) = y.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LimmaError::InvalidOption {
            option: "y",
            reason: format!(
                "value at assay {row}, sample {col} is missing or infinite; \
                 gene-set tests need complete rows"
            ),
        });
    }
    let qr = Qr::new(design, QR_TOL);
    let n = y.ncols();
    let mut effects = Array2::zeros(y.raw_dim());
    let mut buf = vec![0.0; n];
    for (i, row) in y.rows().into_iter().enumerate() {
        buf.iter_mut().zip(row).for_each(|(b, &v)| *b = v);
        qr.qty(&mut buf);
        effects
            .row_mut(i)
            .iter_mut()
            .zip(&buf)
            .for_each(|(e, &b)| *e = b);
    }
    Ok(LmEffects {
        effects,
        rank: qr.rank,
        r_diag: qr.r_diag(),
    })
}

/// The design reparametrised so that its LAST column's coefficient is the
/// contrast `contrast` of the original coefficients, as limma's
/// `contrastAsCoef(design, contrast, first = FALSE)$design` (used by `fry`,
/// `roast`; `camera` builds the same columns up to the scale of the last).
///
/// With Q from the QR of the contrast (p × 1), the new design is design · Q
/// with its first column divided by R₁₁, moved last. The other columns are
/// Householder combinations of the original ones, computed as R does, since
/// the residual effects of [`lm_effects`] depend on them.
///
/// # Errors
/// A contrast of the wrong length, non-finite or all zero.
pub fn contrast_as_last_coef(
    design: ArrayView2<f64>,
    contrast: &[f64],
) -> Result<Array2<f64>, LimmaError> {
    let p = design.ncols();
    if contrast.len() != p {
        return Err(LimmaError::ContrastRowsMismatch {
            rows: contrast.len(),
            coefs: p,
        });
    }
    if let Some(row) = contrast.iter().position(|v| !v.is_finite()) {
        return Err(LimmaError::NonFiniteContrast { row, col: 0 });
    }
    let c = ndarray::Array2::from_shape_vec((p, 1), contrast.to_vec()).map_err(|e| {
        LimmaError::InvalidOption {
            option: "contrast",
            reason: e.to_string(),
        }
    })?;
    let qr = Qr::new(c.view(), QR_TOL);
    if qr.rank == 0 {
        return Err(LimmaError::InvalidOption {
            option: "contrast",
            reason: "the contrast is all zero".into(),
        });
    }
    let r11 = qr.r_diag()[0];
    let mut out = Array2::zeros(design.raw_dim());
    let mut buf = vec![0.0; p];
    for (i, row) in design.rows().into_iter().enumerate() {
        buf.iter_mut().zip(row).for_each(|(b, &v)| *b = v);
        qr.qty(&mut buf);
        buf[0] /= r11;
        // Columns 2..p first, the contrast last.
        for j in 1..p {
            out[[i, j - 1]] = buf[j];
        }
        out[[i, p - 1]] = buf[0];
    }
    Ok(out)
}

// Reference values are kept as R printed them (17 digits).
#[allow(clippy::excessive_precision)]
#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_lm_effects() {
        // R: qr.qty(qr(cbind(1, 0:3)), c(1, 3, 5, 8)) and diag(qr(X)$qr).
        let x = array![[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]];
        let y = array![[1.0, 3.0, 5.0, 8.0]];
        let e = lm_effects(y.view(), x.view()).unwrap();
        assert_eq!(e.rank, 2);
        let want = [
            -8.5,
            -5.1429563482495162,
            -0.3921310674166737,
            0.38240453183331957,
        ];
        for (g, w) in e.effects.row(0).iter().zip(want) {
            assert!((g - w).abs() < 1e-14 * w.abs().max(1.0), "{g} vs {w}");
        }
        assert!((e.r_diag[0] + 2.0).abs() < 1e-15);
        assert!((e.r_diag[1] + 2.2360679774997898).abs() < 1e-14);
        // Sum of squares is preserved.
        let ss: f64 = e.effects.iter().map(|v| v * v).sum();
        assert!((ss - 99.0).abs() < 1e-12);
        let bad = array![[1.0, f64::NAN, 5.0, 8.0]];
        assert!(lm_effects(bad.view(), x.view()).is_err());
        let short = array![[1.0, 3.0, 5.0]];
        assert!(lm_effects(short.view(), x.view()).is_err());
    }

    #[test]
    fn test_contrast_as_last_coef() {
        // R: limma::contrastAsCoef(cbind(1, 0:3, c(2, 1, 0, 1)), c(0, 1, -1),
        //   first = FALSE)$design
        let x = array![
            [1.0, 0.0, 2.0],
            [1.0, 1.0, 1.0],
            [1.0, 2.0, 0.0],
            [1.0, 3.0, 1.0]
        ];
        let d = contrast_as_last_coef(x.view(), &[0.0, 1.0, -1.0]).unwrap();
        let want = array![
            [
                0.29289321881345237,
                1.7071067811865477,
                -0.99999999999999978
            ],
            [0.29289321881345254, 1.7071067811865475, 0.0],
            [0.2928932188134527, 1.7071067811865472, 0.99999999999999978],
            [1.2928932188134528, 2.7071067811865475, 0.99999999999999978]
        ];
        for (g, w) in d.iter().zip(want.iter()) {
            assert!((g - w).abs() < 1e-14, "{g} {w}");
        }
        assert!(contrast_as_last_coef(x.view(), &[0.0, 0.0, 0.0]).is_err());
        assert!(contrast_as_last_coef(x.view(), &[1.0]).is_err());
    }
}
