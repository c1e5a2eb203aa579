//! Cluster labels by text mining term names, after vissE's
//! `computeMsigWordFreq`: a word's score in a cluster is
//! `ln(1 + Σ_terms count × weight) × ln(N / df)`, the weight being the term's
//! statistic and the IDF taken over the names of the whole collection (all
//! GO BP terms) when it is given, otherwise `ln(1 + tf)` alone.
//!
//! Tokenising follows vissE's `tm` pipeline: `_ / @ | ( )` become spaces,
//! text is lower-cased and split on whitespace, English stop words and an
//! exclusion list of words that say nothing about biology in GO names are
//! removed, punctuation inside a word is deleted (`T-cell` → `tcell`),
//! words shorter than 3 characters are dropped (tm's default), and so are
//! bare numbers (vissE drops the whole name instead; dropping the token keeps
//! names such as "type 2 immune response"). Words are then lemmatised.
//!
//! The lemmatiser is a small embedded rule set, not textstem's dictionary:
//! plural nouns become singular (`-ies` → `-y`, `-sses`/`-xes`/`-ches`/
//! `-shes` lose `-es`, `-uses` → `-us`, a final `-s` is dropped unless the
//! word ends in `ss`, `us`, `is`, `as` or `os`; `species`/`series` stay), plus a short table of irregular
//! and verb forms common in GO (`signaling` → `signal`, `mediated` →
//! `mediate`, `children` → `child`). Other `-ing`/`-ed` forms are kept as
//! written, and a few Latin/Greek plurals may come out wrong.

use std::collections::{BTreeMap, HashMap, HashSet};

/// English stop words (the common function words of tm's English list).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Words that carry no theme in GO / MSigDB names: vissE's exclusion list
/// plus GO's structural vocabulary.
pub const EXCLUDED_WORDS: &[&str] = &[
    // vissE (MSigDB collection and source names)
    "biocarta",
    "car",
    "cells",
    "dn",
    "expression",
    "gcm",
    "gene",
    "genes",
    "gnf2",
    "gobp",
    "gomf",
    "gocc",
    "gse",
    "hallmark",
    "kegg",
    "module",
    "morf",
    "neighborhood",
    "pathway",
    "pid",
    "reactome",
    "up",
    "wp",
    // GO BP structure
    "process",
    "regulation",
    "regulate",
    "regulated",
    "positive",
    "positively",
    "negative",
    "negatively",
    "cellular",
    "biological",
    "involved",
    "involve",
    "via",
    "mediate",
    "mediated",
    "modulation",
    "modulate",
    "establishment",
    "activity",
    "organism",
    "multicellular",
    "response",
    "level",
    "type",
    "based",
    "dependent",
    "independent",
    "other",
    "organismal",
    "system",
];

const IRREGULAR: &[(&str, &str)] = &[
    ("children", "child"),
    ("mice", "mouse"),
    ("teeth", "tooth"),
    ("feet", "foot"),
    ("indices", "index"),
    ("matrices", "matrix"),
    ("vertices", "vertex"),
    ("axes", "axis"),
    ("analyses", "analysis"),
    ("signaling", "signal"),
    ("signalling", "signal"),
    ("mediated", "mediate"),
    ("activated", "activate"),
    ("regulated", "regulate"),
    ("involved", "involve"),
    ("induced", "induce"),
    ("stimulated", "stimulate"),
    ("coupled", "couple"),
    ("linked", "link"),
    ("directed", "direct"),
    ("targeted", "target"),
    ("targeting", "target"),
    ("containing", "contain"),
    ("derived", "derive"),
    ("associated", "associate"),
    ("gated", "gate"),
    ("this", "this"),
    ("bus", "bus"),
    ("gas", "gas"),
];

/// Lemma of a lower-case word (see the module notes for the rules).
pub fn lemmatize(word: &str) -> String {
    if let Some(&(_, l)) = IRREGULAR.iter().find(|(w, _)| *w == word) {
        return l.to_string();
    }
    let len = word.len();
    if word.ends_with("species") || word.ends_with("series") {
        return word.to_string();
    }
    if len > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..len - 3]);
    }
    if len > 4 && word.ends_with("uses") {
        return word[..len - 2].to_string();
    }
    for suffix in ["sses", "xes", "ches", "shes", "zzes"] {
        if len > suffix.len() + 1 && word.ends_with(suffix) {
            return word[..len - 2].to_string();
        }
    }
    if len > 3
        && word.ends_with('s')
        && !["ss", "us", "is", "as", "os"]
            .iter()
            .any(|s| word.ends_with(s))
    {
        return word[..len - 1].to_string();
    }
    word.to_string()
}

/// The words of a term name, after the pipeline of the module notes
/// (repeats kept: they count towards term frequency).
pub fn tokenize(name: &str) -> Vec<String> {
    let stop: HashSet<&str> = STOP_WORDS.iter().copied().collect();
    let excluded: HashSet<&str> = EXCLUDED_WORDS.iter().copied().collect();
    tokenize_with(name, &stop, &excluded)
}

fn tokenize_with(name: &str, stop: &HashSet<&str>, excluded: &HashSet<&str>) -> Vec<String> {
    let spaced: String = name
        .chars()
        .map(|c| {
            if matches!(c, '_' | '/' | '@' | '|' | '(' | ')') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .to_lowercase();
    let mut out = Vec::new();
    for raw in spaced.split_whitespace() {
        // stop words and exclusions are matched as whole words, also as the
        // hyphen-separated parts of a compound (tm matches on word boundaries)
        let parts: Vec<&str> = raw
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .filter(|p| !p.is_empty() && !stop.contains(p) && !excluded.contains(p))
            .collect();
        let word: String = parts
            .concat()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if word.chars().count() < 3 || word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let lemma = lemmatize(&word);
        if stop.contains(lemma.as_str()) || excluded.contains(lemma.as_str()) {
            continue;
        }
        out.push(lemma);
    }
    out
}

/// A word and its score in one cluster.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WordScore {
    /// The lemmatised word.
    pub word: String,
    /// `ln(1 + weighted tf) × idf` (idf = 1 without a collection).
    pub score: f64,
}

/// Inverse document frequencies `ln(N / df)` over term names.
#[derive(Debug, Clone, Default)]
pub struct Idf {
    n_docs: usize,
    df: HashMap<String, usize>,
}

impl Idf {
    /// Builds the IDF over the distinct names given (e.g. all GO BP names).
    pub fn new<S: AsRef<str>>(names: &[S]) -> Self {
        let stop: HashSet<&str> = STOP_WORDS.iter().copied().collect();
        let excluded: HashSet<&str> = EXCLUDED_WORDS.iter().copied().collect();
        let mut seen = HashSet::new();
        let mut df: HashMap<String, usize> = HashMap::new();
        for name in names {
            let name = name.as_ref();
            if !seen.insert(name) {
                continue;
            }
            let words: HashSet<String> =
                tokenize_with(name, &stop, &excluded).into_iter().collect();
            for w in words {
                *df.entry(w).or_insert(0) += 1;
            }
        }
        Idf {
            n_docs: seen.len(),
            df,
        }
    }

    /// `ln(N / df)`; a word absent from the collection counts as df = 1.
    pub fn idf(&self, word: &str) -> f64 {
        let df = self.df.get(word).copied().unwrap_or(1).max(1);
        (self.n_docs.max(df) as f64 / df as f64).ln()
    }
}

/// Scores the words of a group of term names, highest first (ties in
/// alphabetical order). `weights` pairs with `names`: non-finite weights
/// count as 1, negative ones by their absolute value. A name repeated in the
/// group is counted once (vissE works on distinct names).
pub fn word_scores<S: AsRef<str>>(
    names: &[S],
    weights: &[f64],
    idf: Option<&Idf>,
) -> Vec<WordScore> {
    assert_eq!(names.len(), weights.len(), "one weight per name");
    let stop: HashSet<&str> = STOP_WORDS.iter().copied().collect();
    let excluded: HashSet<&str> = EXCLUDED_WORDS.iter().copied().collect();
    let mut tf: BTreeMap<String, f64> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (name, &w) in names.iter().zip(weights) {
        let name = name.as_ref();
        if !seen.insert(name) {
            continue;
        }
        let w = if w.is_finite() { w.abs() } else { 1.0 };
        for word in tokenize_with(name, &stop, &excluded) {
            *tf.entry(word).or_insert(0.0) += w;
        }
    }
    let mut scores: Vec<WordScore> = tf
        .into_iter()
        .map(|(word, f)| {
            let mut score = (1.0 + f).ln();
            if let Some(idf) = idf {
                score *= idf.idf(&word);
            }
            WordScore { word, score }
        })
        .collect();
    // stable sort keeps alphabetical order among ties
    scores.sort_by(|a, b| b.score.total_cmp(&a.score));
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_follows_the_pipeline() {
        assert_eq!(
            tokenize("positive regulation of T-cell activation (GO_TEST)"),
            vec!["tcell", "activation", "test"]
        );
        assert_eq!(tokenize("type 2 immune response"), vec!["immune"]);
        assert_eq!(tokenize("response to virus"), vec!["virus"]);
        assert_eq!(
            tokenize("Extracellular Matrix Organization"),
            vec!["extracellular", "matrix", "organization"]
        );
        assert_eq!(
            tokenize("cytokine-mediated signaling pathway"),
            vec!["cytokine", "signal"]
        );
        assert_eq!(
            tokenize("chemokines/processes_activities"),
            vec!["chemokine"]
        );
    }

    #[test]
    fn lemmatizer_rules() {
        for (w, l) in [
            ("cytokines", "cytokine"),
            ("antibodies", "antibody"),
            ("viruses", "virus"),
            ("apoptosis", "apoptosis"),
            ("stimulus", "stimulus"),
            ("processes", "process"),
            ("fluxes", "flux"),
            ("branches", "branch"),
            ("signaling", "signal"),
            ("children", "child"),
            ("class", "class"),
            ("interspecies", "interspecies"),
        ] {
            assert_eq!(lemmatize(w), l, "{w}");
        }
    }

    #[test]
    fn scores_weight_tf_and_idf() {
        let names = [
            "angiogenesis",
            "sprouting angiogenesis",
            "blood vessel morphogenesis",
        ];
        let s = word_scores(&names, &[2.0, 3.0, 1.0], None);
        assert_eq!(s[0].word, "angiogenesis");
        assert!((s[0].score - (6.0f64).ln()).abs() < 1e-15);
        let coll = [
            "angiogenesis",
            "sprouting angiogenesis",
            "blood vessel morphogenesis",
            "blood coagulation",
        ];
        let idf = Idf::new(&coll);
        assert!((idf.idf("blood") - (2.0f64).ln()).abs() < 1e-15);
        assert!((idf.idf("unknownword") - (4.0f64).ln()).abs() < 1e-15);
        let s = word_scores(&names, &[2.0, 3.0, 1.0], Some(&idf));
        let ang = s.iter().find(|w| w.word == "angiogenesis").unwrap();
        assert!((ang.score - (6.0f64).ln() * 2.0f64.ln()).abs() < 1e-15);
        // ties alphabetical
        let s = word_scores(&["beta alpha"], &[1.0], None);
        assert_eq!(
            s.iter().map(|w| w.word.as_str()).collect::<Vec<_>>(),
            vec!["alpha", "beta"]
        );
    }
}
