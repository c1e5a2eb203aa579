# Reference outputs for the parity tests of crates/npxkit-network: gene-set
# similarities as vissE 1.12 computes them (computeMsigOverlap: ARI, Jaccard,
# overlap coefficient), the thresholded overlap graph, and igraph's
# cluster_walktrap (steps = 4), cluster_louvain and cluster_leiden on it.
#
# Run from the project root:
#     Rscript test-data/reference/cluster.R
# Made with R 4.2.2 (Debian 12) and igraph 1.3.5 (CRAN, bundled C core 0.9).
# Needs only igraph: vissE is not installed here, so its three overlap
# formulas (computeMsigOverlap's overlap.ari / overlap.jaccard /
# overlap.ovlapcoef) are ported into `similarity()` below.
#
# Writes under test-data/reference/cluster/:
#   <case>_terms.tsv    the input term list: id name statistic P.Value adj.P.Val
#                       direction members (comma-separated genes). The GO cases
#                       are GO BP sets of go_bp_human_orghs3.16.gmt restricted to a
#                       seeded 3,000-gene "measured" universe, ranked by a
#                       hypergeometric test against the genes of a few seed terms.
#   <case>_pairs.tsv    every pair of terms sharing >= 1 gene (0-based term
#                       indices i < j): i j overlap ari jaccard overlap_coef; for
#                       bp150 / bp400 only the pairs with (i + j) %% 5 / 17 == 0
#                       (1-based), to keep the files small; none for bp2000
#   summary.tsv         one row per graph: graph case measure threshold n_vertices
#                       n_edges walktrap_modularity (max of cluster_walktrap's
#                       $modularity, what modularity(wt) returns)
#                       walktrap_modularity_igraph (modularity(g, membership))
#                       louvain_modularity leiden_modularity disjoint_ari_max
#                       walktrap_seconds
#   <graph>_edges.tsv   the graph's edges in igraph order: i j weight (term indices)
#   <graph>_membership.tsv  term walktrap louvain leiden (1-based igraph labels) for
#                       every vertex, vertices = linked terms in input order
# Numbers are written with sprintf("%.17g") (read back exactly).

suppressPackageStartupMessages(library(igraph))
stopifnot(packageVersion("igraph") == "1.3.5")

out <- file.path("test-data", "reference", "cluster")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
gmt_path <- Sys.getenv("NPXKIT_GO_BP_GMT", "/work/shared/data/genesets/go_bp_human_orghs3.16.gmt")
fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_tab <- function(df, name) {
  df[] <- lapply(df, function(col) if (is.numeric(col) && !is.integer(col)) fmt17(col) else col)
  write.table(df, file.path(out, name), sep = "\t", quote = FALSE, row.names = FALSE)
}

## ---- similarity, as vissE's computeMsigOverlap (n = genes in the union) ----
similarity <- function(sets) {
  genes <- sort(unique(unlist(sets)))
  imat <- t(vapply(sets, function(s) genes %in% s, logical(length(genes)))) * 1
  ovlap <- tcrossprod(imat)
  len <- rowSums(imat)
  n <- ncol(imat)
  a <- len; b <- len; x <- ovlap
  sum_a <- cbind(a, n - a) * cbind(a - 1, n - a - 1)
  sum_a <- sum_a[, 1] + sum_a[, 2]
  sum_b <- cbind(b, n - b) * cbind(b - 1, n - b - 1)
  sum_b <- sum_b[, 1] + sum_b[, 2]
  sum_ab <- outer(sum_a, sum_b, "+")
  prod_ab <- outer(sum_a, sum_b, "*") / (n * (n - 1))
  sum_nij <- x * (x - 1)
  tmp <- n - outer(a, b, "+") + x
  sum_nij <- sum_nij + (tmp * (tmp - 1))
  tmp <- a - x
  sum_nij <- sum_nij + (tmp * (tmp - 1))
  tmp <- t(b - t(x))
  sum_nij <- sum_nij + (tmp * (tmp - 1))
  list(
    overlap = ovlap,
    ari = (sum_nij - prod_ab) / ((sum_ab) / 2 - prod_ab),
    jaccard = ovlap / (outer(len, len, "+") - ovlap),
    ovlapcoef = ovlap / outer(len, len, pmin)
  )
}

## ---- term lists ----
write_terms <- function(terms, case) {
  df <- data.frame(
    id = terms$id, name = terms$name, statistic = terms$statistic,
    P.Value = terms$p, adj.P.Val = terms$adj, direction = terms$direction,
    members = vapply(terms$sets, paste, "", collapse = ","),
    stringsAsFactors = FALSE
  )
  write_tab(df, paste0(case, "_terms.tsv"))
}

lines <- strsplit(readLines(gmt_path), "\t", fixed = TRUE)
gmt_id <- vapply(lines, `[`, "", 1)
gmt_name <- vapply(lines, `[`, "", 2)
gmt_sets <- lapply(lines, function(l) unique(l[-(1:2)]))

set.seed(20240607)
all_genes <- sort(unique(unlist(gmt_sets)))
universe <- sort(sample(all_genes, 3000))
sets_u <- lapply(gmt_sets, function(s) s[s %in% universe])
size_u <- lengths(sets_u)
keep <- size_u >= 10 & size_u <= 500
seed_names <- c("inflammatory response", "T cell activation", "angiogenesis",
                "response to virus", "extracellular matrix organization",
                "chromosome segregation", "lipid metabolic process")
seed_genes <- unique(unlist(sets_u[match(seed_names, gmt_name)]))
de <- sample(seed_genes, floor(length(seed_genes) * 0.6))
hits <- vapply(sets_u, function(s) sum(s %in% de), 0)
pv <- phyper(hits - 0.5, length(de), length(universe) - length(de), size_u, lower.tail = FALSE)
pv[!keep] <- NA
ord <- order(pv, gmt_id, na.last = NA)
go_case <- function(k) {
  idx <- ord[seq_len(k)]
  # keep GMT order within the selection (the order an enrichment table may list them)
  idx <- sort(idx)
  p <- pv[idx]
  list(id = gmt_id[idx], name = gmt_name[idx], statistic = -log10(p), p = p,
       adj = p.adjust(pv[ord], "BH")[match(idx, ord)],
       direction = ifelse(seq_along(idx) %% 3 == 0, "Down", "Up"),
       sets = lapply(sets_u[idx], sort))
}

synthetic_case <- function(n_terms, n_genes, seed) {
  set.seed(seed)
  genes <- sprintf("G%03d", seq_len(n_genes))
  # themes: blocks of genes; each term draws mostly from one theme
  n_theme <- 5
  theme_of <- rep(seq_len(n_theme), length.out = n_genes)
  sets <- lapply(seq_len(n_terms), function(i) {
    th <- sample(n_theme, 1)
    sz <- sample(5:25, 1)
    own <- sample(genes[theme_of == th], min(sz, sum(theme_of == th)))
    other <- sample(genes, sample(0:3, 1))
    sort(unique(c(own, other)))
  })
  # exact duplicates and an isolated term, to exercise ties and unlinked terms
  sets[[n_terms + 1]] <- sets[[2]]
  sets[[n_terms + 2]] <- sets[[5]]
  sets[[n_terms + 3]] <- c("X1", "X2", "X3", "X4", "X5")
  k <- length(sets)
  p <- 10^-runif(k, 1, 8)
  list(id = sprintf("SYN:%04d", seq_len(k)), name = sprintf("synthetic term %d", seq_len(k)),
       statistic = -log10(p), p = p, adj = p.adjust(p, "BH"),
       direction = rep("Up", k), sets = sets)
}

# three cliques joined by single weak bridges, plus an isolated pair and a singleton
bridges_case <- function() {
  mk <- function(prefix, k, n) lapply(seq_len(k), function(i)
    sprintf("%s%02d", prefix, setdiff(seq_len(n), i)))
  sets <- c(mk("A", 6, 10), mk("B", 5, 8), mk("C", 4, 7))
  sets[[1]] <- c(sets[[1]], "B01", "B02", "B03")
  sets[[7]] <- c(sets[[7]], "C01", "C02", "C03")
  sets <- c(sets, list(c("D1", "D2", "D3"), c("D1", "D2", "D3", "D4"), c("E1", "E2")))
  k <- length(sets)
  p <- 10^-(seq_len(k) %% 7 + 1)
  list(id = sprintf("BR:%02d", seq_len(k)), name = sprintf("bridge term %d", seq_len(k)),
       statistic = -log10(p), p = p, adj = p.adjust(p, "BH"),
       direction = rep("Up", k), sets = lapply(sets, sort))
}

cases <- list(
  bridges = bridges_case(),
  syn80 = synthetic_case(80, 150, 11),
  syn200 = synthetic_case(200, 400, 12),
  bp150 = go_case(150),
  bp400 = go_case(400),
  bp2000 = go_case(2000)
)
graphs <- list(
  list(case = "bridges", measure = "ari", thresh = 0.25),
  list(case = "bridges", measure = "jaccard", thresh = 0.5),
  list(case = "syn80", measure = "ari", thresh = 0.25),
  list(case = "syn80", measure = "jaccard", thresh = 0.2),
  list(case = "syn200", measure = "ari", thresh = 0.25),
  list(case = "syn200", measure = "ovlapcoef", thresh = 0.5),
  list(case = "bp150", measure = "ari", thresh = 0.25),
  list(case = "bp150", measure = "ari", thresh = 0.1),
  list(case = "bp400", measure = "ari", thresh = 0.25),
  list(case = "bp400", measure = "jaccard", thresh = 0.25),
  list(case = "bp400", measure = "ovlapcoef", thresh = 0.5),
  list(case = "bp2000", measure = "ari", thresh = 0.25)
)

sims <- list()
for (case in names(cases)) {
  terms <- cases[[case]]
  write_terms(terms, case)
  s <- similarity(terms$sets)
  sims[[case]] <- s
  if (case != "bp2000") {
    ij <- which(upper.tri(s$overlap) & s$overlap > 0, arr.ind = TRUE)
    ij <- ij[order(ij[, 1], ij[, 2]), , drop = FALSE]
    # the GO cases share genes in most pairs: keep a deterministic subsample
    stride <- c(bp150 = 5, bp400 = 17)[case]
    if (!is.na(stride)) ij <- ij[(ij[, 1] + ij[, 2]) %% stride == 0, , drop = FALSE]
    write_tab(data.frame(i = ij[, 1] - 1L, j = ij[, 2] - 1L, overlap = as.integer(s$overlap[ij]),
                         ari = s$ari[ij], jaccard = s$jaccard[ij], overlap_coef = s$ovlapcoef[ij]),
              paste0(case, "_pairs.tsv"))
  }
}

summary <- list()
for (gr in graphs) {
  s <- sims[[gr$case]]
  m <- s[[gr$measure]]
  name <- sprintf("%s_%s_%s", gr$case, gr$measure, format(gr$thresh))
  keep <- upper.tri(m) & !is.na(m) & m >= gr$thresh
  ij <- which(keep, arr.ind = TRUE)
  ij <- ij[order(ij[, 1], ij[, 2]), , drop = FALSE]
  # vertices: the linked terms, in input order
  verts <- sort(unique(c(ij[, 1], ij[, 2])))
  g <- make_empty_graph(length(verts), directed = FALSE)
  g <- add_edges(g, rbind(match(ij[, 1], verts), match(ij[, 2], verts)), weight = m[ij])
  tm <- system.time(wt <- cluster_walktrap(g, weights = E(g)$weight, steps = 4))[["elapsed"]]
  set.seed(1)
  lv <- cluster_louvain(g, weights = E(g)$weight)
  set.seed(1)
  ld <- cluster_leiden(g, objective_function = "modularity", weights = E(g)$weight, n_iterations = -1)
  disjoint <- upper.tri(s$overlap) & s$overlap == 0
  summary[[name]] <- data.frame(
    graph = name, case = gr$case, measure = gr$measure, threshold = gr$thresh,
    n_vertices = length(verts), n_edges = nrow(ij),
    walktrap_modularity = max(wt$modularity),
    walktrap_modularity_igraph = modularity(g, membership(wt), weights = E(g)$weight),
    louvain_modularity = modularity(g, membership(lv), weights = E(g)$weight),
    leiden_modularity = modularity(g, membership(ld), weights = E(g)$weight),
    disjoint_ari_max = if (any(disjoint)) max(s$ari[disjoint]) else NA,
    walktrap_seconds = tm, stringsAsFactors = FALSE
  )
  write_tab(data.frame(i = ij[, 1] - 1L, j = ij[, 2] - 1L, weight = m[ij]),
            paste0(name, "_edges.tsv"))
  write_tab(data.frame(term = verts - 1L, walktrap = as.integer(membership(wt)),
                       louvain = as.integer(membership(lv)), leiden = as.integer(membership(ld))),
            paste0(name, "_membership.tsv"))
  cat(sprintf("%-28s %4d vertices %6d edges  walktrap Q %.6f (%d groups, %.3fs)  louvain Q %.6f  leiden Q %.6f\n",
              name, length(verts), nrow(ij), max(wt$modularity), length(wt), tm,
              summary[[name]]$louvain_modularity, summary[[name]]$leiden_modularity))
}
write_tab(do.call(rbind, summary), "summary.tsv")
