//! Fitting one assay: the profiled deviance of a linear mixed model with
//! random intercepts, its optimum over the relative standard deviations θ,
//! and the analytic derivatives lmerTest's Satterthwaite method needs.
//!
//! # The model and what lme4 computes
//! `y = Xβ + Σ_k Z_k b_k + ε`, `b_k ~ N(0, σ²θ_k² I)`, `ε ~ N(0, σ² I)`, so
//! `Var(y) = σ² V(θ)` with `V = I + Σ_k θ_k² Z_k Z_k'`. lme4 profiles β and σ
//! out and minimises the deviance over θ ≥ 0 (`-2 logLik`, ML:
//! `log|V| + n (1 + log(2π r / n))`; REML adds `log|X'V⁻¹X|` and uses `n − p`),
//! where `r = min_β (y − Xβ)' V⁻¹ (y − Xβ)` is lme4's penalised residual sum
//! of squares. Everything is computed in the space of the random-effect levels
//! from the cross-products `Z'Z`, `Z'X`, `X'X`, `Z'y`, `X'y`, `y'y` via
//! `V⁻¹ = I − Z S Z'`, `S = Λ (I + Λ Z'Z Λ)⁻¹ Λ` (Woodbury). With one grouping
//! factor `Z'Z` is diagonal and each evaluation costs O(levels · p²).
//!
//! # The optimiser
//! lme4's default (bobyqa, then Nelder–Mead on warnings in OlinkAnalyze) stops
//! when the deviance changes by about 1e-6; we solve the first-order condition
//! instead, so the fit is the optimum to machine precision (R's default fits
//! differ from it by about 1e-8 to 1e-5 relative, see
//! `test-data/reference/lmer/default_vs_tight.tsv`). One factor: a grid on
//! θ ∈ {0} ∪ [1e-3, 1e3] locates the basin, then Brent's root finder on the
//! analytic derivative `∂d/∂θ = 2θ h(θ)` (`h = tr(Z'V⁻¹Z) − n ‖Z'Py‖² / r` for
//! ML, `tr(Z'PZ) − (n − p) ‖Z'Py‖² / r` for REML). θ = 0 is the optimum when
//! the grid minimum is at 0 and `h(0) ≥ 0` (a singular fit). Several factors:
//! cyclic one-dimensional solves, then Newton steps with the analytic
//! Hessian of the profiled deviance.
//!
//! # Derivatives for Satterthwaite
//! lmerTest differentiates the deviance as a function of `varpar = (θ, σ)`
//! (β profiled) numerically (numDeriv's Richardson extrapolation) and
//! `vcov(β) = σ² (X'V⁻¹X)⁻¹` likewise. We use the closed forms, with
//! `V_k = 2θ_k Z_k Z_k'`, `P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹`, `B = Z'V⁻¹Z`,
//! `C = Z'PZ`, `w = Z'Py`:
//! `∂²D/∂θ_k∂θ_l = 2δ_kl tr B_kk − 4θ_kθ_l ‖B_kl‖²_F + (8θ_kθ_l w_k'C_kl w_l − 2δ_kl ‖w_k‖²)/σ²`
//! (REML: C in place of B in the first two terms), `∂²D/∂θ_k∂σ = 4θ_k‖w_k‖²/σ³`,
//! `∂²D/∂σ² = 6r/σ⁴ − 2n'/σ²`; `∂vcov(β)/∂θ_k = 2θ_kσ² A⁻¹ G_k'G_k A⁻¹` with
//! `A = X'V⁻¹X`, `G = Z'V⁻¹X`, and `∂vcov(β)/∂σ = 2σ A⁻¹`.
//!
//! # References
//! Bates, Mächler, Bolker & Walker (2015), Fitting linear mixed-effects models
//! using lme4, J. Stat. Softw. 67(1), doi:10.18637/jss.v067.i01.
//! Kuznetsova, Brockhoff & Christensen (2017), lmerTest package: tests in
//! linear mixed effects models, J. Stat. Softw. 82(13), doi:10.18637/jss.v082.i13.

use ndarray::Array2;

use crate::error::LmmError;
use crate::linalg::{
    backward_solve_t, chol_inverse, chol_solve, cholesky, forward_solve, sym_eigen,
};
use crate::model::Design;

/// Relative pivot tolerance of the Cholesky factor of `X'X` (rank check).
const RANK_TOL: f64 = 1e-10;
/// θ below this counts as a boundary (singular) fit, as `lme4::isSingular`'s default tol.
pub const SINGULAR_TOL: f64 = 1e-4;
/// Largest θ searched; beyond it the fit is reported as degenerate.
const THETA_MAX: f64 = 1e8;
/// lmerTest's tolerance on the eigenvalues of the deviance Hessian.
const HESS_EIG_TOL: f64 = 1e-8;

/// The samples one assay is fitted on, and what depends only on them.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub rows: Vec<usize>,
    pub n: usize,
    pub p: usize,
    pub x: Array2<f64>,
    /// Per grouping factor: per observation, the level index among observed levels.
    pub groups: Vec<Vec<usize>>,
    pub nlev: Vec<usize>,
    pub offsets: Vec<usize>,
    pub q: usize,
    pub xtx: Array2<f64>,
    pub ztx: Array2<f64>,
    pub ztz: Array2<f64>,
    pub single: bool,
}

impl Pattern {
    pub(crate) fn new(design: &Design, rows: Vec<usize>) -> Result<Self, LmmError> {
        let n = rows.len();
        let p = design.p();
        // Factor levels of fixed terms must be observed.
        for t in &design.terms {
            for &v in t {
                let levels = design.factor_levels(v);
                if levels.is_empty() {
                    continue;
                }
                let codes = design.factor_codes(v);
                let mut seen = vec![false; levels.len()];
                rows.iter().for_each(|&r| seen[codes[r]] = true);
                if let Some(l) = seen.iter().position(|s| !s) {
                    return Err(LmmError::EmptyLevel {
                        factor: design.variables[v].name.clone(),
                        level: levels[l].clone(),
                    });
                }
            }
        }
        if n <= p {
            return Err(LmmError::TooFewObservations { nobs: n, params: p });
        }
        let x = design.matrix(&rows, false);
        let xtx = x.t().dot(&x);
        if let Err(j) = cholesky(&xtx, RANK_TOL) {
            return Err(LmmError::RankDeficient {
                column: design.column_names[j].clone(),
            });
        }
        let mut groups = Vec::new();
        let mut nlev = Vec::new();
        let mut offsets = Vec::new();
        let mut q = 0;
        for &g in &design.groups {
            let codes = design.factor_codes(g);
            let nl = design.factor_levels(g).len();
            let mut map = vec![usize::MAX; nl];
            let mut m = 0;
            // Observed levels in level order (lme4 drops unused levels).
            let mut seen = vec![false; nl];
            rows.iter().for_each(|&r| seen[codes[r]] = true);
            for (l, s) in seen.iter().enumerate() {
                if *s {
                    map[l] = m;
                    m += 1;
                }
            }
            let name = design.variables[g].name.clone();
            if m < 2 {
                return Err(LmmError::GroupingTooFewLevels(name));
            }
            if m >= n {
                return Err(LmmError::GroupingTooManyLevels {
                    name,
                    levels: m,
                    nobs: n,
                });
            }
            groups.push(rows.iter().map(|&r| map[codes[r]]).collect::<Vec<_>>());
            nlev.push(m);
            offsets.push(q);
            q += m;
        }
        let mut ztx = Array2::<f64>::zeros((q, p));
        let mut ztz = Array2::<f64>::zeros((q, q));
        for i in 0..n {
            for (k, g) in groups.iter().enumerate() {
                let a = offsets[k] + g[i];
                for j in 0..p {
                    ztx[[a, j]] += x[[i, j]];
                }
                for (l, h) in groups.iter().enumerate() {
                    ztz[[a, offsets[l] + h[i]]] += 1.0;
                }
            }
        }
        Ok(Pattern {
            rows,
            n,
            p,
            x,
            groups,
            nlev,
            offsets,
            q,
            xtx,
            ztx,
            ztz,
            single: design.groups.len() == 1,
        })
    }

    /// `Z'y`, `X'y`, `y'y` of the observed response values (in pattern order).
    pub(crate) fn response(&self, y: &[f64]) -> Response {
        let mut zty = vec![0.0; self.q];
        let mut xty = vec![0.0; self.p];
        let mut yty = 0.0;
        for (i, &v) in y.iter().enumerate() {
            for (k, g) in self.groups.iter().enumerate() {
                zty[self.offsets[k] + g[i]] += v;
            }
            for (j, xt) in xty.iter_mut().enumerate() {
                *xt += self.x[[i, j]] * v;
            }
            yty += v * v;
        }
        Response { zty, xty, yty }
    }

    fn lambda(&self, theta: &[f64]) -> Vec<f64> {
        let mut lam = vec![0.0; self.q];
        for (k, &t) in theta.iter().enumerate() {
            lam[self.offsets[k]..self.offsets[k] + self.nlev[k]].fill(t);
        }
        lam
    }

    /// `S = Λ (I + ΛZ'ZΛ)⁻¹ Λ` (as its diagonal for one factor, else as the
    /// Cholesky factor of `I + ΛZ'ZΛ` with Λ) and `log|I + ΛZ'ZΛ|` (= log|V|).
    fn s_factor(&self, theta: &[f64]) -> (SFactor, f64) {
        let lam = self.lambda(theta);
        let q = self.q;
        if self.single {
            let mut logdet = 0.0;
            let mut d = vec![0.0; q];
            for j in 0..q {
                let m = 1.0 + lam[j] * lam[j] * self.ztz[[j, j]];
                logdet += m.ln();
                d[j] = lam[j] * lam[j] / m;
            }
            return (SFactor::Diag(d), logdet);
        }
        let mut m = Array2::<f64>::eye(q);
        for i in 0..q {
            for j in 0..q {
                m[[i, j]] += lam[i] * self.ztz[[i, j]] * lam[j];
            }
        }
        let l = cholesky(&m, 0.0).expect("I + ΛZ'ZΛ is positive definite");
        let logdet = 2.0 * (0..q).map(|j| l[[j, j]].ln()).sum::<f64>();
        (SFactor::Chol { lam, l }, logdet)
    }

    /// `S m` for a q × c matrix.
    fn s_times(&self, s: &SFactor, m: &Array2<f64>) -> Array2<f64> {
        let mut out = m.clone();
        match s {
            SFactor::Diag(d) => {
                for (i, &di) in d.iter().enumerate() {
                    out.row_mut(i).mapv_inplace(|v| v * di);
                }
            }
            SFactor::Chol { lam, l } => {
                let mut col = vec![0.0; self.q];
                for c in 0..m.ncols() {
                    for i in 0..self.q {
                        col[i] = lam[i] * m[[i, c]];
                    }
                    forward_solve(l, &mut col);
                    backward_solve_t(l, &mut col);
                    for i in 0..self.q {
                        out[[i, c]] = lam[i] * col[i];
                    }
                }
            }
        }
        out
    }

    /// Everything at θ: the profiled deviance and the pieces of the derivatives.
    pub(crate) fn evaluate(&self, resp: &Response, theta: &[f64], reml: bool, full: bool) -> Eval {
        let (s, logdet_v) = self.s_factor(theta);
        let zty = ndarray::Array1::from(resp.zty.clone());
        let xty = ndarray::Array1::from(resp.xty.clone());
        let zty_m = Array2::from_shape_vec((self.q, 1), resp.zty.clone()).expect("q × 1");
        let s_zty = self.s_times(&s, &zty_m).column(0).to_owned();
        let s_ztx = self.s_times(&s, &self.ztx);
        let a = &self.xtx - &self.ztx.t().dot(&s_ztx);
        let b = &xty - &self.ztx.t().dot(&s_zty);
        let yvy = resp.yty - zty.dot(&s_zty);
        let a_chol = match cholesky(&a, 0.0) {
            Ok(l) => l,
            Err(_) => return Eval::non_finite(),
        };
        let beta = chol_solve(&a_chol, b.as_slice().unwrap());
        let r = yvy - b.iter().zip(&beta).map(|(u, v)| u * v).sum::<f64>();
        let n = self.n as f64;
        let p = self.p as f64;
        let logdet_a = 2.0 * (0..self.p).map(|j| a_chol[[j, j]].ln()).sum::<f64>();
        let tau = std::f64::consts::TAU;
        let dev = if reml {
            logdet_v + logdet_a + (n - p) * (1.0 + (tau * r / (n - p)).ln())
        } else {
            logdet_v + n * (1.0 + (tau * r / n).ln())
        };
        let mut ev = Eval {
            dev: if r > 0.0 { dev } else { f64::NAN },
            r,
            beta,
            a_inv: Array2::zeros((0, 0)),
            b_mat: Array2::zeros((0, 0)),
            g: Array2::zeros((0, 0)),
            w: Vec::new(),
        };
        if full {
            // B = Z'V⁻¹Z, G = Z'V⁻¹X, w = Z'V⁻¹(y − Xβ).
            let b_mat = match &s {
                SFactor::Diag(d) => {
                    let mut bm = Array2::<f64>::zeros((self.q, self.q));
                    for j in 0..self.q {
                        let nj = self.ztz[[j, j]];
                        bm[[j, j]] = nj - nj * d[j] * nj;
                    }
                    bm
                }
                SFactor::Chol { .. } => &self.ztz - &self.ztz.dot(&self.s_times(&s, &self.ztz)),
            };
            let g = &self.ztx - &self.ztz.dot(&s_ztx);
            let zvy = &zty - &self.ztz.dot(&s_zty);
            let gb = g.dot(&ndarray::Array1::from(ev.beta.clone()));
            ev.w = (&zvy - &gb).to_vec();
            ev.a_inv = chol_inverse(&a_chol);
            ev.b_mat = b_mat;
            ev.g = g;
        }
        ev
    }

    /// Per factor: `h_k` with `∂d/∂θ_k = 2θ_k h_k` (profiled deviance).
    pub(crate) fn h(&self, ev: &Eval, reml: bool) -> Vec<f64> {
        if ev.w.is_empty() {
            return vec![f64::NAN; self.nlev.len()];
        }
        let n_eff = if reml {
            (self.n - self.p) as f64
        } else {
            self.n as f64
        };
        let c_diag = if reml { Some(self.c_diag(ev)) } else { None };
        (0..self.nlev.len())
            .map(|k| {
                let (o, m) = (self.offsets[k], self.nlev[k]);
                let tr: f64 = match &c_diag {
                    Some(c) => c[o..o + m].iter().sum(),
                    None => (o..o + m).map(|j| ev.b_mat[[j, j]]).sum(),
                };
                let ww: f64 = ev.w[o..o + m].iter().map(|v| v * v).sum();
                tr - n_eff * ww / ev.r
            })
            .collect()
    }

    fn c_diag(&self, ev: &Eval) -> Vec<f64> {
        let ga = ev.g.dot(&ev.a_inv);
        (0..self.q)
            .map(|j| ev.b_mat[[j, j]] - ga.row(j).dot(&ev.g.row(j)))
            .collect()
    }

    /// Hessian of lmerTest's `devfun_vp` over `(θ, σ)` (β profiled) at `sigma`.
    pub(crate) fn hessian_varpar(
        &self,
        ev: &Eval,
        theta: &[f64],
        sigma: f64,
        reml: bool,
    ) -> Array2<f64> {
        let k = theta.len();
        let mut h = Array2::<f64>::zeros((k + 1, k + 1));
        let c = &ev.b_mat - &ev.g.dot(&ev.a_inv).dot(&ev.g.t());
        let ld = if reml { &c } else { &ev.b_mat };
        let s2 = sigma * sigma;
        let block = |m: &Array2<f64>, a: usize, b: usize| {
            let (oa, ob) = (self.offsets[a], self.offsets[b]);
            Array2::from_shape_fn((self.nlev[a], self.nlev[b]), |(i, j)| m[[oa + i, ob + j]])
        };
        let wk = |a: usize| {
            ndarray::Array1::from(ev.w[self.offsets[a]..self.offsets[a] + self.nlev[a]].to_vec())
        };
        for a in 0..k {
            for b in 0..k {
                let ldab = block(ld, a, b);
                let fro: f64 = ldab.iter().map(|v| v * v).sum();
                let cab = block(&c, a, b);
                let wcw = wk(a).dot(&cab.dot(&wk(b)));
                let mut v = -4.0 * theta[a] * theta[b] * fro + 8.0 * theta[a] * theta[b] * wcw / s2;
                if a == b {
                    let tr: f64 = (0..self.nlev[a]).map(|j| ldab[[j, j]]).sum();
                    let ww: f64 = wk(a).dot(&wk(a));
                    v += 2.0 * tr - 2.0 * ww / s2;
                }
                h[[a, b]] = v;
            }
            let ww: f64 = wk(a).dot(&wk(a));
            h[[a, k]] = 4.0 * theta[a] * ww / (s2 * sigma);
            h[[k, a]] = h[[a, k]];
        }
        let n_eff = if reml {
            (self.n - self.p) as f64
        } else {
            self.n as f64
        };
        h[[k, k]] = 6.0 * ev.r / (s2 * s2) - 2.0 * n_eff / s2;
        h
    }
}

/// `S = Λ (I + ΛZ'ZΛ)⁻¹ Λ` in a form to multiply with.
enum SFactor {
    /// One grouping factor: S is diagonal.
    Diag(Vec<f64>),
    /// Several: Λ and the Cholesky factor of `I + ΛZ'ZΛ`.
    Chol { lam: Vec<f64>, l: Array2<f64> },
}

/// Cross-products of one response with the pattern's design.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    zty: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
}

/// The model at one θ.
#[derive(Debug, Clone)]
pub(crate) struct Eval {
    pub dev: f64,
    pub r: f64,
    pub beta: Vec<f64>,
    pub a_inv: Array2<f64>,
    pub b_mat: Array2<f64>,
    pub g: Array2<f64>,
    pub w: Vec<f64>,
}

impl Eval {
    fn non_finite() -> Self {
        Eval {
            dev: f64::NAN,
            r: f64::NAN,
            beta: Vec::new(),
            a_inv: Array2::zeros((0, 0)),
            b_mat: Array2::zeros((0, 0)),
            g: Array2::zeros((0, 0)),
            w: Vec::new(),
        }
    }
}

/// Minimises the profiled deviance over θ ≥ 0.
pub(crate) fn optimise(pat: &Pattern, resp: &Response, reml: bool) -> Result<Vec<f64>, LmmError> {
    let k = pat.nlev.len();
    let mut theta = vec![1.0; k];
    if k == 1 {
        theta[0] = solve_1d(pat, resp, reml, &theta, 0)?;
        return Ok(theta);
    }
    // One cycle of coordinate solves, then Newton; a Newton failure
    // (indefinite Hessian, a boundary component that wants to move) falls
    // back to another cycle.
    const MAX_ROUNDS: usize = 100;
    for _ in 0..MAX_ROUNDS {
        for j in 0..k {
            theta[j] = solve_1d(pat, resp, reml, &theta, j)?;
        }
        if newton_polish(pat, resp, reml, &mut theta) {
            break;
        }
    }
    Ok(theta)
}

/// Newton steps on the free (positive) components with the analytic Hessian
/// of the profiled deviance (Schur complement of σ), halving steps that do
/// not lower the deviance. Components at 0 stay there when the deviance
/// rises away from 0 (`h_k(θ) ≥ 0`). Returns whether it converged.
fn newton_polish(pat: &Pattern, resp: &Response, reml: bool, theta: &mut [f64]) -> bool {
    const MAX_ITER: usize = 100;
    /// Relative Newton step below which θ has converged (the next step
    /// would be of order its square).
    const STEP_TOL: f64 = 1e-10;
    /// Deviance increase tolerated as rounding noise near the optimum.
    const DEV_NOISE: f64 = 1e-13;
    const MAX_HALVINGS: usize = 40;
    let n_eff = if reml {
        (pat.n - pat.p) as f64
    } else {
        pat.n as f64
    };
    let kk = theta.len();
    for _ in 0..MAX_ITER {
        let ev = pat.evaluate(resp, theta, reml, true);
        if !ev.dev.is_finite() {
            return false;
        }
        let h = pat.h(&ev, reml);
        if (0..kk).any(|j| theta[j] == 0.0 && h[j] < 0.0) {
            return false; // a boundary component wants to move: more cycles
        }
        let free: Vec<usize> = (0..kk).filter(|&j| theta[j] > 0.0).collect();
        if free.is_empty() {
            return true;
        }
        let sigma = (ev.r / n_eff).sqrt();
        let hfull = pat.hessian_varpar(&ev, theta, sigma, reml);
        let nf = free.len();
        let mut hp = Array2::<f64>::zeros((nf, nf));
        let mut g = vec![0.0; nf];
        for (a, &i) in free.iter().enumerate() {
            g[a] = 2.0 * theta[i] * h[i];
            for (b, &j) in free.iter().enumerate() {
                hp[[a, b]] = hfull[[i, j]] - hfull[[i, kk]] * hfull[[j, kk]] / hfull[[kk, kk]];
            }
        }
        let Ok(l) = cholesky(&hp, 0.0) else {
            return false;
        };
        let mut step = g.clone();
        forward_solve(&l, &mut step);
        backward_solve_t(&l, &mut step);
        let mut scale = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let mut t_new = theta.to_vec();
            for (a, &i) in free.iter().enumerate() {
                t_new[i] = (theta[i] - scale * step[a]).max(0.0);
            }
            let d_new = pat.evaluate(resp, &t_new, reml, false).dev;
            if d_new <= ev.dev + DEV_NOISE * ev.dev.abs() {
                accepted = Some(t_new);
                break;
            }
            scale *= 0.5;
        }
        let Some(t_new) = accepted else {
            // No decrease possible at machine precision: converged if the step is tiny.
            return step
                .iter()
                .zip(&free)
                .all(|(s, &i)| s.abs() <= 1e-8 * (1.0 + theta[i]));
        };
        let size = free
            .iter()
            .map(|&i| (t_new[i] - theta[i]).abs() / (1.0 + theta[i]))
            .fold(0.0, f64::max);
        theta.copy_from_slice(&t_new);
        if size < STEP_TOL {
            return true;
        }
    }
    true
}

/// Optimum of θ_j with the other components fixed.
fn solve_1d(
    pat: &Pattern,
    resp: &Response,
    reml: bool,
    theta: &[f64],
    j: usize,
) -> Result<f64, LmmError> {
    let mut t = theta.to_vec();
    let mut dev_at = |x: f64| {
        t[j] = x;
        pat.evaluate(resp, &t, reml, false).dev
    };
    let mut grid = vec![0.0];
    const GRID_STEPS: i32 = 24;
    for i in 0..=GRID_STEPS {
        grid.push(10f64.powf(-3.0 + 0.25 * i as f64));
    }
    let devs: Vec<f64> = grid.iter().map(|&x| dev_at(x)).collect();
    if devs.iter().any(|d| !d.is_finite()) {
        return Err(LmmError::NonFiniteDeviance);
    }
    let best = (0..grid.len())
        .min_by(|&a, &b| devs[a].total_cmp(&devs[b]))
        .unwrap_or(0);
    let mut t2 = theta.to_vec();
    let mut h_at = |x: f64| {
        t2[j] = x;
        let ev = pat.evaluate(resp, &t2, reml, true);
        pat.h(&ev, reml)[j]
    };
    let (lo, hi) = if best == 0 {
        if h_at(0.0) >= 0.0 {
            return Ok(0.0);
        }
        (0.0, grid[1])
    } else if best + 1 == grid.len() {
        // Still falling at 1e3: look further out; a deviance that keeps
        // falling up to 1e8 means σ collapses.
        let mut lo = grid[best - 1];
        let mut mid = grid[best];
        let mut dmid = devs[best];
        loop {
            let hi = mid * 10.0;
            if hi > THETA_MAX {
                return Err(LmmError::UnboundedTheta);
            }
            let dhi = dev_at(hi);
            if dhi.is_nan() {
                // X'V⁻¹X lost positive definiteness: σ has collapsed.
                return Err(LmmError::UnboundedTheta);
            }
            if dhi >= dmid {
                break (lo, hi);
            }
            lo = mid;
            mid = hi;
            dmid = dhi;
        }
    } else {
        (grid[best - 1], grid[best + 1])
    };
    let (hlo, hhi) = (h_at(lo), h_at(hi));
    let x = if hlo <= 0.0 && hhi >= 0.0 {
        zeroin(&mut h_at, lo, hi, hlo, hhi)
    } else {
        golden(&mut dev_at, lo, hi)
    };
    // A boundary optimum wins if it is at least as good.
    if best == 0 || dev_at(0.0) < dev_at(x) {
        let d0 = dev_at(0.0);
        if d0 < dev_at(x) {
            return Ok(0.0);
        }
    }
    Ok(x)
}

/// Brent's root finder (zeroin) to machine precision; `fa ≤ 0 ≤ fb`.
fn zeroin<F: FnMut(f64) -> f64>(f: &mut F, a0: f64, b0: f64, fa0: f64, fb0: f64) -> f64 {
    let (mut a, mut b, mut fa, mut fb) = (a0, b0, fa0, fb0);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 1e-300;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = d;
            }
        } else {
            d = m;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol * m.signum() };
        fb = f(b);
    }
    b
}

/// Golden-section minimisation (fallback when the derivative does not bracket).
fn golden<F: FnMut(f64) -> f64>(f: &mut F, mut a: f64, mut b: f64) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..200 {
        if (b - a).abs() <= 1e-15 * (1.0 + c.abs()) {
            break;
        }
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    0.5 * (a + b)
}

/// The Satterthwaite ingredients lmerTest stores: `vcov(varpar)` and the
/// Jacobian of `vcov(β)` over varpar.
#[derive(Debug, Clone)]
pub(crate) struct SattParts {
    pub vcov_varpar: Array2<f64>,
    pub jac: Vec<Array2<f64>>,
}

pub(crate) fn satt_parts(
    pat: &Pattern,
    ev: &Eval,
    theta: &[f64],
    sigma: f64,
    reml: bool,
) -> SattParts {
    let h = pat.hessian_varpar(ev, theta, sigma, reml);
    let (vals, vecs) = sym_eigen(&h);
    let m = h.nrows();
    let mut vv = Array2::<f64>::zeros((m, m));
    for (c, &v) in vals.iter().enumerate() {
        if v > HESS_EIG_TOL {
            for i in 0..m {
                for j in 0..m {
                    vv[[i, j]] += 2.0 * vecs[[i, c]] * vecs[[j, c]] / v;
                }
            }
        }
    }
    let mut jac = Vec::new();
    let s2 = sigma * sigma;
    for (k, &t) in theta.iter().enumerate() {
        let o = pat.offsets[k];
        let gk = Array2::from_shape_fn((pat.nlev[k], pat.p), |(i, j)| ev.g[[o + i, j]]);
        let ag = ev.a_inv.dot(&gk.t());
        jac.push(ag.dot(&ag.t()) * (2.0 * t * s2));
    }
    jac.push(&ev.a_inv * (2.0 * sigma));
    SattParts {
        vcov_varpar: vv,
        jac,
    }
}
