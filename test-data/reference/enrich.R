# Reference outputs of limma's gene-set tests for the parity tests of
# crates/npxkit-genesets (module `enrich`): kegga (goana-style ORA), camera,
# fry, and R's hypergeometric upper tail.
#
# Run from the project root:
#     Rscript test-data/reference/enrich.R
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2), limma 3.54.1
# (r-bioc-limma) and statmod 1.5.0 (r-cran-statmod, needed by fry).
#
# Writes under test-data/reference/enrich/:
#   expr.tsv      400 assays x 12 samples (first column `assay`), NPX-like,
#                 rounded to 4 decimals and written with "%.15g" (reads back exactly)
#   design.tsv    model.matrix(~ group + age), samples x coefficients
#   sets.tsv      set id, size, 0-based member rows (comma-separated)
#   de.tsv        the up and down lists (0-based rows): topTable coef 2,
#                 adj.P.Val < 0.1, sign of logFC
#   universe.tsv  0-based rows of the ORA universe (rows 0..359)
#   kegga.tsv     kegga(list(Up, Down), gene.pathway, universe): id N Up Down P.Up P.Down
#   camera.tsv, camera_ranks.tsv, camera_est.tsv, camera_est_ranks.tsv
#                 camera(y, sets, design, contrast = 2, sort = FALSE) with the
#                 default inter.gene.cor = 0.01, use.ranks = TRUE, and
#                 inter.gene.cor = NA (estimated correlation), in set order
#   fry.tsv       fry(y, sets, design, contrast = 2, sort = "none")
#   design_cell.tsv, camera_contrast.tsv, fry_contrast.tsv
#                 the same tests with design model.matrix(~ 0 + factor(group) + age)
#                 and the contrast vector c(-1, 1, 0)
#   phyper.tsv    q m n k phyper(q - 0.5, m, n, k, lower.tail = FALSE) = P(X >= q)
#   camera_trend.tsv, camera_trend_est.tsv
#                 camera(..., trend.var = TRUE), with the fixed and the estimated correlation
#   statistic.tsv the moderated t of eBayes(lmFit(y, design)), coefficient 2, per assay
#   camera_pr.tsv, camera_pr_ranks.tsv, camera_pr_cor.tsv, camera_pr_negcor_ranks.tsv
#                 cameraPR(statistic, sets, sort = FALSE) with the default inter.gene.cor = 0.01,
#                 use.ranks = TRUE, inter.gene.cor = 0.2, and inter.gene.cor = -0.005 with ranks
# (the last sections come after the others, so they leave the random draws of the first unchanged)
# Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")

out <- file.path("test-data", "reference", "enrich")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_tab <- function(df, name) {
  df[] <- lapply(df, function(col) if (is.numeric(col)) fmt17(col) else col)
  write.table(df, file.path(out, name), sep = "\t", quote = FALSE, row.names = FALSE)
}

set.seed(20261127)
G <- 400; n <- 12
group <- rep(0:1, each = n / 2)
age <- round(runif(n, 30, 70))
design <- model.matrix(~ group + age)

# 30 sets of sizes 3..80 drawn at random (so they overlap), one of size 1.
sizes <- c(3, 4, 5, 6, 8, 10, 12, 15, 18, 20, 22, 25, 28, 30, 35,
           40, 45, 50, 55, 60, 65, 70, 75, 80, 3, 7, 9, 14, 33, 48, 1)
sets <- lapply(sizes, function(s) sort(sample(G, s)))
names(sets) <- sprintf("S%02d", seq_along(sets))

# NPX-like: assay means, residual SDs, a shared factor inside some sets
# (inter-gene correlation), and treatment effects up in S05, S12 and S20,
# down in S08 and S17, plus scattered single-assay effects.
mu <- rnorm(G, 5, 1.5)
sds <- 0.4 * sqrt(rchisq(G, 6) / 6)
y <- matrix(rnorm(G * n), G) * sds + mu
for (s in c("S03", "S12", "S16", "S22")) {
  f <- rnorm(n, 0, 0.3)
  y[sets[[s]], ] <- y[sets[[s]], ] + matrix(f, length(sets[[s]]), n, byrow = TRUE)
}
eff <- rep(0, G)
eff[sets$S05] <- eff[sets$S05] + 0.8
eff[sets$S12] <- eff[sets$S12] + 0.5
eff[sets$S20] <- eff[sets$S20] + 0.3
eff[sets$S08] <- eff[sets$S08] - 0.7
eff[sets$S17] <- eff[sets$S17] - 0.4
single <- sample(G, 20)
eff[single] <- eff[single] + rnorm(20, 0, 1)
y <- y + outer(eff, group) + outer(rep(0.01, G), age)
y <- round(y, 4)
rownames(y) <- sprintf("A%03d", 1:G)

ym <- cbind(assay = rownames(y), apply(y, 2, function(v) sprintf("%.15g", v)))
colnames(ym) <- c("assay", sprintf("s%02d", 1:n))
write.table(ym, file.path(out, "expr.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
write_tab(data.frame(sample = sprintf("s%02d", 1:n), design, check.names = FALSE), "design.tsv")
write_tab(data.frame(id = names(sets), size = lengths(sets),
                     members = vapply(sets, function(s) paste(s - 1, collapse = ","), "")),
          "sets.tsv")

# DE lists from topTable.
fit <- eBayes(lmFit(y, design))
tt <- topTable(fit, coef = 2, number = Inf, sort.by = "none")
up <- which(tt$adj.P.Val < 0.1 & tt$logFC > 0)
down <- which(tt$adj.P.Val < 0.1 & tt$logFC < 0)
writeLines(c(paste("up", paste(up - 1, collapse = ","), sep = "\t"),
             paste("down", paste(down - 1, collapse = ","), sep = "\t")),
           file.path(out, "de.tsv"))

# ORA as kegga with a user gene-pathway table; the universe leaves out rows
# 360..399 (some set members and some DE assays among them).
universe <- rownames(y)[1:360]
writeLines(paste(0:359, collapse = ","), file.path(out, "universe.tsv"))
gp <- data.frame(gene = rownames(y)[unlist(sets)], path = rep(names(sets), lengths(sets)))
pn <- data.frame(id = names(sets), name = names(sets))
k <- kegga(list(Up = rownames(y)[up], Down = rownames(y)[down]), universe = universe,
           gene.pathway = gp, pathway.names = pn)
write_tab(data.frame(id = rownames(k), N = k$N, Up = k$Up, Down = k$Down,
                     P.Up = k$P.Up, P.Down = k$P.Down), "kegga.tsv")

# camera and fry, in set order.
cam <- function(...) camera(y, sets, design, contrast = 2, sort = FALSE, ...)
camtab <- function(r, name) {
  cor <- if (is.null(r$Correlation)) rep(0.01, nrow(r)) else r$Correlation
  write_tab(data.frame(id = rownames(r), NGenes = r$NGenes, Correlation = cor,
                       Direction = r$Direction, PValue = r$PValue, FDR = r$FDR), name)
}
camtab(cam(), "camera.tsv")
camtab(cam(use.ranks = TRUE), "camera_ranks.tsv")
camtab(cam(inter.gene.cor = NA), "camera_est.tsv")
camtab(cam(inter.gene.cor = NA, use.ranks = TRUE), "camera_est_ranks.tsv")
fr <- fry(y, sets, design, contrast = 2, sort = "none")
write_tab(data.frame(id = rownames(fr), NGenes = fr$NGenes, Direction = fr$Direction,
                     PValue = fr$PValue, FDR = fr$FDR, PValue.Mixed = fr$PValue.Mixed,
                     FDR.Mixed = fr$FDR.Mixed), "fry.tsv")

# A contrast vector (limma's contrastAsCoef path) on a cell-means design.
design_cell <- model.matrix(~ 0 + factor(group) + age)
colnames(design_cell) <- c("g0", "g1", "age")
write_tab(data.frame(sample = sprintf("s%02d", 1:n), design_cell, check.names = FALSE),
          "design_cell.tsv")
camtab(camera(y, sets, design_cell, contrast = c(-1, 1, 0), sort = FALSE), "camera_contrast.tsv")
fc <- fry(y, sets, design_cell, contrast = c(-1, 1, 0), sort = "none")
write_tab(data.frame(id = rownames(fc), NGenes = fc$NGenes, Direction = fc$Direction,
                     PValue = fc$PValue, FDR = fc$FDR, PValue.Mixed = fc$PValue.Mixed,
                     FDR.Mixed = fc$FDR.Mixed), "fry_contrast.tsv")

# Hypergeometric upper tails P(X >= q), from 1 down past 1e-300.
grid <- rbind(
  expand.grid(q = c(0, 1, 2, 3, 5, 8), m = c(10, 40), n = c(30, 360), k = c(5, 20)),
  data.frame(q = c(0, 1, 10, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500),
             m = 500, n = 5000, k = 500),
  data.frame(q = c(1, 5, 20, 60, 100, 140, 180, 200), m = 200, n = 5200, k = 300),
  data.frame(q = c(1, 2, 3, 4), m = 1, n = 5399, k = c(1, 2, 3, 4)),
  data.frame(q = c(40, 41, 50, 80), m = 80, n = 5320, k = 5400),
  data.frame(q = c(7, 9, 12, 30), m = 30, n = 10, k = 35))
grid$p <- phyper(grid$q - 0.5, grid$m, grid$n, grid$k, lower.tail = FALSE)
grid <- grid[grid$p > 0, ]
write_tab(grid, "phyper.tsv")

# camera with the variance prior following a trend in the mean (trend.var = TRUE).
camtab(cam(trend.var = TRUE), "camera_trend.tsv")
camtab(cam(trend.var = TRUE, inter.gene.cor = NA), "camera_trend_est.tsv")

# cameraPR on the moderated t of the same fit (coefficient 2).
stat <- fit$t[, 2]
write_tab(data.frame(assay = names(stat), t = stat), "statistic.tsv")
prtab <- function(cor, name, ...) {
  r <- cameraPR(stat, sets, inter.gene.cor = cor, sort = FALSE, ...)
  write_tab(data.frame(id = rownames(r), NGenes = r$NGenes, Correlation = rep(cor, nrow(r)),
                       Direction = r$Direction, PValue = r$PValue, FDR = r$FDR), name)
}
prtab(0.01, "camera_pr.tsv")
prtab(0.01, "camera_pr_ranks.tsv", use.ranks = TRUE)
prtab(0.2, "camera_pr_cor.tsv")
prtab(-0.005, "camera_pr_negcor_ranks.tsv", use.ranks = TRUE)
