# R baseline for the GSVA kernel-CDF scaling bench (benches/benches/gsva.rs):
# GSVA 1.46 gsva(method = "gsva", kcdf = "Gaussian") on simulated N(0,1) data,
# `genes` x `samples`, `nsets` random sets of 20 genes. Single-threaded (parallel.sz = 1).
# Usage: Rscript benches/compare/gsva_sim.R genes samples nsets [repeats]
suppressPackageStartupMessages(library(GSVA))
args <- as.integer(commandArgs(trailingOnly = TRUE))
genes <- args[1]; samples <- args[2]; nsets <- args[3]
repeats <- if (length(args) >= 4) args[4] else 1L
set.seed(1)
x <- matrix(rnorm(genes * samples), genes, samples,
            dimnames = list(paste0("G", seq_len(genes)), paste0("S", seq_len(samples))))
sets <- lapply(seq_len(nsets), function(i) rownames(x)[sample.int(genes, 20)])
names(sets) <- paste0("set", seq_len(nsets))
times <- replicate(repeats, system.time(
  s <<- gsva(x, sets, method = "gsva", kcdf = "Gaussian", min.sz = 1, verbose = FALSE,
             parallel.sz = 1L)
)[["elapsed"]])
cat(sprintf("R %s GSVA %s gsva (Gaussian): %d genes x %d samples, %d sets, median %.2f s (min %.2f, %d runs)\n",
            getRversion(), packageVersion("GSVA"), genes, samples, nsets, median(times),
            min(times), repeats))
