//! The page: sections in reading order, figures inline as SVG, tables sortable and
//! searchable by the small script at the end. No external resource of any kind.

use std::fmt::Write as _;

use crate::figures::chosen_contrast;
use crate::results::{Normalisation, Results};
use crate::tables::Table;
use crate::{NamedFigure, ReportOptions};

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--accent:#0072B2;--bg:#fff;--soft:#f4f6f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:24px 32px 8px;border-bottom:1px solid var(--line)}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;color:var(--muted)}
nav{position:sticky;top:0;background:#fffffff2;border-bottom:1px solid var(--line);padding:8px 32px;z-index:2;font-size:14px}
nav a{margin-right:16px;color:var(--accent);text-decoration:none}
main{padding:8px 32px 48px;max-width:1480px}
section{margin-top:28px}
h2{font-size:21px;border-bottom:2px solid var(--accent);padding-bottom:4px}
h3{font-size:17px;margin-bottom:6px}
.note{color:var(--muted);font-style:italic}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:22px}
.card span{color:var(--muted);font-size:13px}
.figs{display:flex;flex-wrap:wrap;gap:20px}
figure{margin:8px 0;flex:1 1 560px;max-width:700px}
figure.wide{max-width:100%;flex-basis:100%}
figure svg{width:100%;height:auto;border:1px solid var(--line);border-radius:4px}
figcaption{font-size:13px;color:var(--muted);max-width:680px}
figcaption a{margin-left:6px}
table.data{border-collapse:collapse;font-size:13px;margin:6px 0}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;white-space:nowrap}
table.data td.num{text-align:right;font-variant-numeric:tabular-nums}
table.data th{background:var(--soft);cursor:pointer;user-select:none;position:sticky;top:38px}
.scroll table.data th{top:0}
table.data th[data-sort=asc]::after{content:" \25B2"}
table.data th[data-sort=desc]::after{content:" \25BC"}
.scroll{max-height:520px;overflow:auto;border:1px solid var(--line);border-radius:4px}
input.filter{font:inherit;padding:4px 8px;margin:6px 0;width:320px;border:1px solid var(--line);border-radius:4px}
details{margin:10px 0}
summary{cursor:pointer;color:var(--accent)}
pre{background:var(--soft);padding:10px;overflow:auto;font-size:12px;border-radius:4px}
.methods p{max-width:900px}
"#;

const JS: &str = r#"
(function () {
  var root = document.documentElement;
  window.addEventListener('error', function () {
    root.setAttribute('data-errors', String(Number(root.getAttribute('data-errors') || 0) + 1));
  });
  function key(td) {
    var t = td.getAttribute('data-v');
    if (t === null) { t = td.textContent.trim(); }
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) { return [0, parseFloat(t)]; }
    if (t === 'NA' || t === '') { return [2, 0]; }
    return [1, t.toLowerCase()];
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.data'), function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, i) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('data-sort') !== 'asc';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[i]), y = key(b.cells[i]);
          if (x[0] !== y[0]) { return x[0] - y[0]; }
          var c = x[1] < y[1] ? -1 : (x[1] > y[1] ? 1 : 0);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('data-sort'); });
        th.setAttribute('data-sort', asc ? 'asc' : 'desc');
      });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('input.filter'), function (input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    var count = document.getElementById(input.getAttribute('data-table') + '-count');
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase(), shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var hit = q === '' || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.style.display = hit ? '' : 'none';
        if (hit) { shown += 1; }
      });
      if (count) { count.textContent = String(shown); }
    });
  });
  root.setAttribute('data-figures', String(document.querySelectorAll('figure svg').length));
  root.setAttribute('data-ready', '1');
})();
"#;

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// A number for reading: 4 significant digits, exponent form below 1e-3.
fn show_num(s: &str) -> String {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x != 0.0 && x.fract() != 0.0 => {
            if x.abs() < 1e-3 {
                format!("{x:.2e}")
            } else {
                let digits = (4 - 1 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
                format!("{x:.digits$}")
            }
        }
        _ => s.to_string(),
    }
}

fn is_num(s: &str) -> bool {
    s.parse::<f64>().is_ok()
}

/// The page; also which sections had data.
pub fn page(
    r: &Results,
    opts: &ReportOptions,
    figs: &[NamedFigure],
    methods: &[String],
) -> (String, Vec<&'static str>, Vec<(&'static str, String)>) {
    let mut filled = Vec::new();
    let mut missing = Vec::new();
    let mut body = String::new();
    let fig = |name: &str| figs.iter().find(|f| f.name == name);
    let mut section = |id: &'static str, title: &str, content: Result<String, String>| {
        let _ = write!(body, "<section id=\"{id}\"><h2>{}</h2>", esc(title));
        match content {
            Ok(c) => {
                body.push_str(&c);
                filled.push(id);
            }
            Err(why) => {
                let _ = write!(body, "<p class=\"note\">{}</p>", esc(&why));
                missing.push((id, why));
            }
        }
        body.push_str("</section>\n");
    };
    let link = |name: &str| match r.link(name, opts.out_dir.as_deref()) {
        Some(href) => format!("<a href=\"{}\">{name}</a>", esc(&href)),
        None => format!("{name} (not found)"),
    };
    let contrast = chosen_contrast(r, opts);

    section(
        "summary",
        "Summary",
        Ok(summary(r, opts, contrast.as_deref())),
    );
    section(
        "normalisation",
        "Normalisation",
        match &r.normalisation {
            Some(n) => Ok(normalisation(n, opts, &fig, &link)),
            None => Err("Projects were not normalised (no adjustments.tsv of npxkit normalize in an --in folder or its normalize/ subfolder).".into()),
        },
    );
    section(
        "qc",
        "Quality control",
        if r.qc.is_some() {
            Ok(qc(r, &fig, &link))
        } else {
            Err("QC was not run (no qc.tsv).".into())
        },
    );
    section(
        "de",
        "Differential expression",
        match &r.de {
            Some(de) => Ok(de_section(de, opts, contrast.as_deref(), &fig, &link)),
            None => Err("Differential expression was not run (no de.tsv).".into()),
        },
    );
    section(
        "proteins",
        "Proteins of interest",
        match fig("de_paired_proteins") {
            Some(f) => Ok(figure(f)),
            None => Err("No protein_values.tsv (written by npxkit de and npxkit run).".into()),
        },
    );
    section(
        "immune",
        "Immune-cell scores",
        match &r.scores {
            Some(_) => Ok(immune(r, &fig, &link)),
            None => Err("Scoring was not run (no scores.tsv).".into()),
        },
    );
    section(
        "enrichment",
        "GO enrichment",
        match &r.enrichment {
            Some(e) => Ok(enrichment(e, &link)),
            None => Err("Enrichment was not run (no enrichment.tsv).".into()),
        },
    );
    section(
        "themes",
        "Themes of enriched terms",
        match (&r.clusters, &r.network) {
            (Some(_), Some(net)) => Ok(themes(net, &fig, &link)),
            _ => Err("Clustering was not run (no clusters.tsv / network.json).".into()),
        },
    );
    section(
        "methods",
        "Methods",
        if methods.is_empty() {
            Err("Nothing to describe.".into())
        } else {
            Ok(methods_html(methods, r.normalisation.is_some()))
        },
    );
    section(
        "provenance",
        "Provenance",
        if r.runs.is_empty() {
            Err("No run.json found next to the tables.".into())
        } else {
            Ok(provenance(r))
        },
    );

    let mut nav = String::new();
    for (id, title) in [
        ("summary", "Summary"),
        ("normalisation", "Normalisation"),
        ("qc", "QC"),
        ("de", "Differential expression"),
        ("proteins", "Proteins"),
        ("immune", "Immune scores"),
        ("enrichment", "GO enrichment"),
        ("themes", "Themes"),
        ("methods", "Methods"),
        ("provenance", "Provenance"),
    ] {
        let _ = write!(nav, "<a href=\"#{id}\">{title}</a>");
    }
    let subtitle = match (&contrast, r.version()) {
        (Some(c), Some(v)) => format!("Contrast {c} · npxkit {v}"),
        (None, Some(v)) => format!("npxkit {v}"),
        (Some(c), None) => format!("Contrast {c}"),
        (None, None) => String::new(),
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"npxkit\">\n<title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><h1>{t}</h1><p>{s}</p></header>\n<nav>{nav}</nav>\n<main>\n{body}</main>\n<script>{JS}</script>\n</body>\n</html>\n",
        t = esc(&opts.title),
        s = esc(&subtitle)
    );
    (html, filled, missing)
}

/// An inline figure with its caption and links to the files.
fn figure(f: &NamedFigure) -> String {
    let svg = match f.figure.svg.find("<svg") {
        Some(i) => &f.figure.svg[i..],
        None => f.figure.svg.as_str(),
    };
    format!(
        "<figure id=\"fig-{n}\">{svg}<figcaption>{c} <a href=\"figures/{n}.svg\">SVG</a><a href=\"figures/{n}.png\">PNG</a></figcaption></figure>",
        n = f.name,
        c = esc(&f.caption)
    )
}

fn figs_row<'a>(names: &[&str], fig: &dyn Fn(&str) -> Option<&'a NamedFigure>) -> String {
    let inner: String = names.iter().filter_map(|n| fig(n)).map(figure).collect();
    if inner.is_empty() {
        String::new()
    } else {
        format!("<div class=\"figs\">{inner}</div>")
    }
}

/// A sortable table of `rows` (indices into `t.rows`) and the chosen columns.
fn table(t: &Table, id: &str, cols: &[usize], rows: &[usize], filter: bool) -> String {
    let mut s = String::new();
    if filter {
        let _ = write!(
            s,
            "<input class=\"filter\" type=\"search\" placeholder=\"Filter rows…\" data-table=\"{id}\"> <span class=\"note\"><span id=\"{id}-count\">{}</span> rows</span>",
            rows.len()
        );
    }
    let _ = write!(
        s,
        "<div class=\"scroll\"><table class=\"data\" id=\"{id}\"><thead><tr>"
    );
    for &c in cols {
        let _ = write!(s, "<th>{}</th>", esc(&t.header[c]));
    }
    s.push_str("</tr></thead><tbody>");
    for &r in rows {
        s.push_str("<tr>");
        for &c in cols {
            let v = &t.rows[r][c];
            if is_num(v) {
                let _ = write!(
                    s,
                    "<td class=\"num\" data-v=\"{}\">{}</td>",
                    esc(v),
                    esc(&show_num(v))
                );
            } else {
                let _ = write!(s, "<td>{}</td>", esc(v));
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

fn cols_of(t: &Table, names: &[&str]) -> Vec<usize> {
    names.iter().filter_map(|n| t.col(n)).collect()
}

fn card(value: &str, what: &str) -> String {
    format!(
        "<div class=\"card\"><b>{}</b><span>{}</span></div>",
        esc(value),
        esc(what)
    )
}

fn summary(r: &Results, opts: &ReportOptions, contrast: Option<&str>) -> String {
    let mut s = String::from("<div class=\"cards\">");
    if let Some(qc) = &r.qc {
        let kept = qc
            .col("excluded")
            .map_or(0, |c| qc.rows.iter().filter(|x| x[c] == "FALSE").count());
        s += &card(
            &kept.to_string(),
            &format!("samples analysed (of {})", qc.rows.len()),
        );
    }
    if let Some(aq) = &r.assay_qc {
        let kept = aq
            .col("excluded")
            .map_or(0, |c| aq.rows.iter().filter(|x| x[c] == "FALSE").count());
        s += &card(&kept.to_string(), "assays analysed");
    }
    if let Some(de) = &r.de {
        let rows = de.rows_of_contrast(contrast);
        let (lfc, adj) = (de.col("logFC"), de.col("adj.P.Val"));
        if let (Some(l), Some(a)) = (lfc, adj) {
            let sig = |up: bool| {
                rows.iter()
                    .filter(|&&i| de.num(i, a) < opts.fdr && (de.num(i, l) > 0.0) == up)
                    .count()
            };
            s += &card(
                &format!("{} ↑ {} ↓", sig(true), sig(false)),
                &format!("proteins at adj.P.Val < {}", opts.fdr),
            );
        }
    }
    if let Some(t) = &r.score_tests {
        if let Some(a) = t.col("adj.P.Val") {
            let n = (0..t.rows.len()).filter(|&i| t.num(i, a) < 0.05).count();
            s += &card(
                &n.to_string(),
                &format!("of {} immune scores change (adj.P < 0.05)", t.rows.len()),
            );
        }
    }
    if let Some(e) = &r.enrichment {
        if let Some(a) = e.col("adj.P.Val") {
            let n = (0..e.rows.len()).filter(|&i| e.num(i, a) < 0.05).count();
            s += &card(&n.to_string(), "enriched terms (adj.P < 0.05)");
        }
    }
    if let Some(net) = &r.network {
        if let Some(n) = net["n_clusters"].as_u64() {
            s += &card(&n.to_string(), "themes");
        }
    }
    s += "</div>";
    if let Some(d) = r.design() {
        let group = d["group"].as_str().unwrap_or("?");
        let pair = d["pair"].as_str().filter(|p| !p.is_empty());
        let contrasts: Vec<String> = match &d["contrast"] {
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            serde_json::Value::String(c) => vec![c.clone()],
            _ => vec![],
        };
        let _ = write!(
            s,
            "<p><b>Design.</b> Group column <code>{}</code>{}; contrast(s) {}.",
            esc(group),
            pair.map_or(String::new(), |p| format!(
                ", paired by <code>{}</code>",
                esc(p)
            )),
            esc(&contrasts.join(", "))
        );
        if let Some(c) = d["covariates"].as_array().filter(|a| !a.is_empty()) {
            let names: Vec<&str> = c.iter().filter_map(|v| v.as_str()).collect();
            let _ = write!(s, " Covariates: {}.", esc(&names.join(", ")));
        }
        s += "</p>";
    }
    let inputs: Vec<String> = r
        .runs
        .iter()
        .flat_map(|(_, run)| run["inputs"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["path"].as_str().map(String::from))
        // Tables of earlier steps (de.tsv read by enrich, …) are not study inputs.
        .filter(|p| {
            let p = std::path::Path::new(p);
            !r.dirs.iter().any(|d| p.parent() == Some(d.as_path()))
                && r.normalisation
                    .as_ref()
                    .is_none_or(|n| p.parent() != Some(n.dir.as_path()))
        })
        .collect();
    if !inputs.is_empty() {
        let mut uniq: Vec<String> = Vec::new();
        for i in inputs {
            if !uniq.contains(&i) {
                uniq.push(i);
            }
        }
        let _ = write!(
            s,
            "<p><b>Inputs.</b> {}</p>",
            uniq.iter()
                .map(|i| format!("<code>{}</code>", esc(i)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}

/// The normalisation section: what was done (from normalize's run.json and
/// adjustments.tsv), the factors per project, the figures, the largest factors and, for
/// a cross-product bridge, the bridgeability table.
fn normalisation<'a>(
    n: &Normalisation,
    opts: &ReportOptions,
    fig: &dyn Fn(&str) -> Option<&'a NamedFigure>,
    link: &dyn Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    let adj = &n.adjustments;
    let summaries = factor_summaries(adj);
    let res = n.results();
    let cross = res.map(|r| &r["cross_product"]).filter(|c| c.is_object());

    // What was done.
    let files: Vec<String> = n
        .run
        .as_ref()
        .and_then(|r| r["options"]["npx"].as_array())
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, p)| {
                    format!(
                        "P{} = <code>{}</code>",
                        i + 1,
                        esc(p.as_str().unwrap_or("?"))
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = write!(
        s,
        "<p><b>Projects.</b> {} project(s){}.",
        summaries.len(),
        if files.is_empty() {
            String::new()
        } else {
            format!(": {}", files.join(", "))
        }
    );
    let references: Vec<&str> = summaries
        .iter()
        .filter(|p| p.methods.iter().any(|(m, _)| m == "reference"))
        .map(|p| p.project.as_str())
        .collect();
    if !references.is_empty() {
        let _ = write!(
            s,
            " Reference: <b>{}</b> (its NPX unchanged).",
            esc(&references.join(", "))
        );
    }
    s += "</p><ul>";
    if let Some(c) = cross {
        let product = |k: &str| {
            format!(
                "{} ({})",
                c[k]["project"].as_str().unwrap_or("?"),
                product_name(c[k]["product"].as_str().unwrap_or("?"))
            )
        };
        let n_bridge = c["bridge_samples"].as_array().map_or(0, Vec::len);
        let _ = write!(
            s,
            "<li>Cross-product bridge of {} to the reference {} over {n_bridge} bridge samples, assay by assay as OlinkAnalyze 5.0 recommends: median centring, quantile smoothing, or not bridged.</li>",
            esc(&product("other")),
            esc(&product("reference"))
        );
        let too_few: Vec<&str> = c["qs_too_few_bridge_samples"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if !too_few.is_empty() {
            let _ = write!(
                s,
                "<li>Fewer than {} usable bridge samples, so no quantile-smoothed values: {}.</li>",
                c["min_bridge_samples_qs"],
                esc(&too_few.join(", "))
            );
        }
    } else if let Some(steps) = res.and_then(|r| r["steps"].as_array()) {
        for st in steps {
            let method = st["method"].as_str().unwrap_or("?");
            let n_s = st["samples"].as_array().map_or(0, Vec::len);
            let n_r = st["reference_samples"].as_array().map_or(0, Vec::len);
            let what = if method == "bridge" {
                format!("bridge normalisation over {n_s} bridge samples (median of the paired NPX differences per assay)")
            } else {
                format!("subset normalisation: median of {n_r} reference samples minus median of {n_s} samples, per assay")
            };
            let _ = write!(
                s,
                "<li>{} → {}: {}.</li>",
                esc(st["project"].as_str().unwrap_or("?")),
                esc(st["normalized_to"].as_str().unwrap_or("?")),
                esc(&what)
            );
        }
    }
    if summaries
        .iter()
        .any(|p| p.methods.iter().any(|(m, _)| m == "reference_median"))
    {
        s += "<li>Reference-median normalisation: each project's median NPX per assay over its samples was set to the given reference median (Adj_factor = Reference_NPX − the project's median).</li>";
    }
    if let Some(res) = res {
        let removed = res["removed_assays"].as_array().map_or(0, Vec::len);
        if removed > 0 {
            let _ = write!(
                s,
                "<li>{removed} assay(s) not in every project were left out, as OlinkAnalyze does (run.json lists them).</li>"
            );
        }
        if let Some(k) = res["removed_bridge_rows"].as_u64().filter(|k| *k > 0) {
            let _ = write!(
                s,
                "<li>{k} rows of the non-reference copies of the bridge samples were removed.</li>"
            );
        }
    } else {
        s += "<li>No run.json next to adjustments.tsv: the steps are described from adjustments.tsv only.</li>";
    }
    s += "</ul>";

    // Cards: recommendations of a cross-product bridge.
    if let Some(b) = &n.bridgeability {
        if let Some(c) = b.col("BridgingRecommendation") {
            s += "<div class=\"cards\">";
            for (rec, what) in [
                ("MedianCentering", "assays median-centred"),
                ("QuantileSmoothing", "assays quantile-smoothed"),
                ("NotBridgeable", "assays not bridgeable"),
                ("NotOverlapping", "assays in one product only"),
            ] {
                let k = b.rows.iter().filter(|x| x[c] == rec).count();
                s += &card(&k.to_string(), what);
            }
            s += "</div>";
        }
    }

    // Factors per project.
    s += "<h3>Adjustment factors per project</h3>";
    s += &table(
        &summary_table(adj, &summaries),
        "norm-summary",
        &[0, 1, 2, 3, 4, 5, 6, 7, 8],
        &(0..summaries.len()).collect::<Vec<_>>(),
        false,
    );
    s += &figs_row(&["norm_adjustment_factors"], fig);
    // The two-panel bridgeability figure is wider than the others.
    if let Some(f) = fig("norm_bridgeability") {
        let _ = write!(
            s,
            "<div class=\"figs\">{}</div>",
            figure(f).replacen(
                "<figure ",
                "<figure class=\"wide\" style=\"max-width:1000px\" ",
                1
            )
        );
    }

    // The largest factors.
    let (f, m) = (adj.col("Adj_factor"), adj.col("method"));
    if let (Some(f), Some(m)) = (f, m) {
        let mut rows: Vec<usize> = (0..adj.rows.len())
            .filter(|&r| adj.rows[r][m] != "reference" && adj.num(r, f).is_finite())
            .collect();
        rows.sort_by(|&a, &b| {
            adj.num(b, f)
                .abs()
                .total_cmp(&adj.num(a, f).abs())
                .then(a.cmp(&b))
        });
        rows.truncate(opts.top_rows);
        if !rows.is_empty() {
            let _ = write!(s, "<h3>The {} largest |Adj_factor|</h3>", rows.len());
            let cols = cols_of(
                adj,
                &["Project", "OlinkID", "Assay", "Adj_factor", "method"],
            );
            s += &table(adj, "norm-top", &cols, &rows, false);
        }
    }

    // Bridgeability of a cross-product bridge.
    if let Some(b) = &n.bridgeability {
        let cols: Vec<usize> = (0..b.header.len()).collect();
        let rows: Vec<usize> = (0..b.rows.len()).collect();
        let _ = write!(
            s,
            "<details><summary>Bridgeability of all {} assays (sortable, searchable)</summary>{}</details>",
            b.rows.len(),
            table(b, "norm-bridge", &cols, &rows, true)
        );
    }
    let _ = write!(s, "<p>Tables: {}", link("adjustments.tsv"));
    if n.bridgeability.is_some() {
        let _ = write!(s, ", {}", link("bridgeability.tsv"));
    }
    s += "; the normalised NPX: normalized.parquet / normalized.csv next to them.</p>";
    s
}

/// The name of an OlinkAnalyze product code.
fn product_name(code: &str) -> &str {
    match code {
        "E3072" => "Explore 3072",
        "HT" => "Explore HT",
        "Reveal" => "Reveal",
        other => other,
    }
}

/// The adjustment factors of one project.
struct FactorSummary {
    project: String,
    /// (method, number of assays), in order of appearance.
    methods: Vec<(String, usize)>,
    assays: usize,
    /// The finite factors, sorted.
    factors: Vec<f64>,
}

/// Per project, in order of appearance in adjustments.tsv.
fn factor_summaries(adj: &Table) -> Vec<FactorSummary> {
    let (Some(p), Some(f), Some(m)) =
        (adj.col("Project"), adj.col("Adj_factor"), adj.col("method"))
    else {
        return Vec::new();
    };
    let mut out: Vec<FactorSummary> = Vec::new();
    for (r, row) in adj.rows.iter().enumerate() {
        let k = match out.iter().position(|s| s.project == row[p]) {
            Some(k) => k,
            None => {
                out.push(FactorSummary {
                    project: row[p].clone(),
                    methods: Vec::new(),
                    assays: 0,
                    factors: Vec::new(),
                });
                out.len() - 1
            }
        };
        let s = &mut out[k];
        s.assays += 1;
        match s.methods.iter_mut().find(|(x, _)| *x == row[m]) {
            Some((_, c)) => *c += 1,
            None => s.methods.push((row[m].clone(), 1)),
        }
        let v = adj.num(r, f);
        if v.is_finite() {
            s.factors.push(v);
        }
    }
    for s in &mut out {
        s.factors.sort_by(f64::total_cmp);
    }
    out
}

/// The per-project summary as a table for [`table`].
fn summary_table(adj: &Table, summaries: &[FactorSummary]) -> Table {
    let num = |v: Option<f64>| v.map_or("NA".to_string(), |x| format!("{x}"));
    Table {
        path: adj.path.clone(),
        header: [
            "Project",
            "method (assays)",
            "assays",
            "with a factor",
            "median",
            "Q1",
            "Q3",
            "min",
            "max",
        ]
        .map(String::from)
        .to_vec(),
        rows: summaries
            .iter()
            .map(|s| {
                let f = &s.factors;
                vec![
                    s.project.clone(),
                    s.methods
                        .iter()
                        .map(|(m, k)| format!("{m} ({k})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    s.assays.to_string(),
                    f.len().to_string(),
                    num(quantile7(f, 0.5)),
                    num(quantile7(f, 0.25)),
                    num(quantile7(f, 0.75)),
                    num(f.first().copied()),
                    num(f.last().copied()),
                ]
            })
            .collect(),
    }
}

/// R's type-7 quantile of sorted values; `None` when empty.
fn quantile7(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + frac * (sorted[hi] - sorted[lo]))
}

fn qc<'a>(
    r: &Results,
    fig: &dyn Fn(&str) -> Option<&'a NamedFigure>,
    link: &dyn Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    let qc = r.qc.as_ref().expect("checked");
    if let (Some(excl), Some(reason), Some(id)) =
        (qc.col("excluded"), qc.col("reason"), qc.col("SampleID"))
    {
        let excluded: Vec<usize> = (0..qc.rows.len())
            .filter(|&i| qc.rows[i][excl] == "TRUE")
            .collect();
        let _ = write!(
            s,
            "<p>{} of {} samples in the delivery were analysed; {} were excluded (controls, QC failures, samples not in the manifest).</p>",
            qc.rows.len() - excluded.len(),
            qc.rows.len(),
            excluded.len()
        );
        if !excluded.is_empty() {
            s += "<details><summary>Excluded samples</summary>";
            s += &table(qc, "qc-excluded", &[id, reason], &excluded, false);
            s += "</details>";
        }
    }
    let mut flagged: Vec<String> = Vec::new();
    if let (Some(o), Some(id)) = (qc.col("qc_outlier"), qc.col("SampleID")) {
        flagged.extend(
            qc.rows
                .iter()
                .filter(|x| x[o] == "TRUE")
                .map(|x| format!("{} (median/IQR)", x[id])),
        );
    }
    if let Some(p) = &r.pca {
        if let (Some(o), Some(id)) = (p.col("outlier"), p.col("SampleID")) {
            flagged.extend(
                p.rows
                    .iter()
                    .filter(|x| x[o] == "TRUE")
                    .map(|x| format!("{} (PCA)", x[id])),
            );
        }
    }
    let _ = write!(
        s,
        "<p><b>Outliers flagged</b> (kept in the analysis; exclude them with a manifest filter if warranted): {}.</p>",
        if flagged.is_empty() { "none".to_string() } else { esc(&flagged.join(", ")) }
    );
    s += &figs_row(&["qc_pca", "qc_sample_distribution"], fig);
    s += &figs_row(&["qc_below_lod", "qc_missingness"], fig);
    let _ = write!(
        s,
        "<p>Tables: {}, {}</p>",
        link("qc.tsv"),
        link("assay_qc.tsv")
    );
    s
}

fn de_section<'a>(
    de: &Table,
    opts: &ReportOptions,
    contrast: Option<&str>,
    fig: &dyn Fn(&str) -> Option<&'a NamedFigure>,
    link: &dyn Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    let rows = de.rows_of_contrast(contrast);
    if let Some(c) = contrast {
        let _ = write!(
            s,
            "<p>Contrast <b>{}</b>: {} assays tested.</p>",
            esc(c),
            rows.len()
        );
    }
    s += &figs_row(&["de_volcano"], fig);
    s += &figs_row(&["de_ma", "de_pvalue_histogram"], fig);
    let cols = if de.col("F").is_some() {
        // --test F: every column (the contrasts' logFC, AveExpr, F, P.Value, adj.P.Val).
        (0..de.header.len()).collect()
    } else {
        cols_of(
            de,
            &[
                "OlinkID",
                "UniProt",
                "Assay",
                "logFC",
                "CI.L",
                "CI.R",
                "AveExpr",
                "t",
                "P.Value",
                "adj.P.Val",
                "B",
            ],
        )
    };
    let top: Vec<usize> = rows.iter().copied().take(opts.top_rows).collect();
    let _ = write!(s, "<h3>Top {} proteins</h3>", top.len());
    s += &table(de, "de-top", &cols, &top, false);
    let _ = write!(
        s,
        "<details><summary>All {} assays (sortable, searchable)</summary>{}</details><p>Full precision: {}</p>",
        rows.len(),
        table(de, "de-all", &cols, &rows, true),
        link("de.tsv")
    );
    s
}

fn immune<'a>(
    r: &Results,
    fig: &dyn Fn(&str) -> Option<&'a NamedFigure>,
    link: &dyn Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    s += &figs_row(&["immune_heatmap"], fig);
    s += &figs_row(&["immune_paired"], fig);
    if let Some(t) = &r.score_tests {
        let cols: Vec<usize> = (0..t.header.len()).collect();
        let rows: Vec<usize> = (0..t.rows.len()).collect();
        s += "<h3>Paired tests of the scores</h3>";
        s += &table(t, "score-tests", &cols, &rows, false);
    }
    if let Some(g) = &r.score_sets {
        let cols: Vec<usize> = (0..g.header.len()).collect();
        let rows: Vec<usize> = (0..g.rows.len()).collect();
        let _ = write!(
            s,
            "<details><summary>Gene sets: sizes before and after mapping to measured proteins</summary>{}</details>",
            table(g, "score-sets", &cols, &rows, false)
        );
    }
    let _ = write!(
        s,
        "<p>Tables: {}, {}, {}</p>",
        link("scores.tsv"),
        link("score_tests.tsv"),
        link("genesets.tsv")
    );
    s
}

fn enrichment(e: &Table, link: &dyn Fn(&str) -> String) -> String {
    let mut s = String::new();
    let cols = cols_of(
        e,
        &[
            "id",
            "name",
            "direction",
            "N",
            "NGenes",
            "Up",
            "Down",
            "P.Value",
            "adj.P.Val",
        ],
    );
    let adj = e.col("adj.P.Val");
    let n_sig = adj.map_or(0, |a| {
        (0..e.rows.len()).filter(|&i| e.num(i, a) < 0.05).count()
    });
    let _ = write!(
        s,
        "<p>{} of {} sets enriched at adj.P.Val &lt; 0.05. The universe is the measured proteins, not the genome.</p>",
        n_sig,
        e.rows.len()
    );
    let top: Vec<usize> = (0..e.rows.len().min(30)).collect();
    s += "<h3>Top 30 terms</h3>";
    s += &table(e, "enrich-top", &cols, &top, false);
    let all: Vec<usize> = (0..e.rows.len()).collect();
    let _ = write!(
        s,
        "<details><summary>All {} sets (sortable, searchable)</summary>{}</details><p>Full table with member proteins: {}</p>",
        e.rows.len(),
        table(e, "enrich-all", &cols, &all, true),
        link("enrichment.tsv")
    );
    s
}

fn themes<'a>(
    net: &serde_json::Value,
    fig: &dyn Fn(&str) -> Option<&'a NamedFigure>,
    link: &dyn Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<p>{} terms, {} edges, {} themes; modularity {}.</p>",
        net["n_terms"],
        net["n_edges"],
        net["n_clusters"],
        net["modularity"]
            .as_f64()
            .map_or("NA".into(), |q| format!("{q:.3}"))
    );
    s += &figs_row(&["go_network"], fig);
    let clusters = net["clusters"].as_array().cloned().unwrap_or_default();
    if !clusters.is_empty() {
        s += "<h3>Themes</h3><div class=\"scroll\"><table class=\"data\" id=\"themes\"><thead><tr><th>cluster</th><th>label</th><th>terms</th><th>representative term</th><th>median −log10 P</th></tr></thead><tbody>";
        for c in &clusters {
            let _ = write!(
                s,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                c["id"],
                esc(c["label"].as_str().unwrap_or("")),
                c["n_terms"],
                esc(c["representative_name"].as_str().unwrap_or("")),
                c["median_abs_statistic"].as_f64().map_or("NA".into(), |v| format!("{v:.2}"))
            );
        }
        s += "</tbody></table></div>";
    }
    let _ = write!(
        s,
        "<p>Tables: {}, {}, {} (Cytoscape / Gephi), {}</p>",
        link("clusters.tsv"),
        link("cluster_words.tsv"),
        link("network.graphml"),
        link("network.json")
    );
    s
}

fn methods_html(paragraphs: &[String], normalised: bool) -> String {
    let mut s = String::from("<div class=\"methods\">");
    for p in paragraphs {
        let _ = write!(s, "<p>{}</p>", esc(p));
    }
    s += "<h3>References</h3><ul>";
    if normalised {
        s += "<li>Nevola K, Sandin M, Guess J et al. OlinkAnalyze: Facilitate Analysis of Proteomic Data from Olink. R package version 5.0, CRAN (olink_normalization).</li>";
    }
    s += "\
<li>Smyth GK (2004). Linear models and empirical Bayes methods for assessing differential expression in microarray experiments. Stat Appl Genet Mol Biol 3:3.</li>\
<li>Ritchie ME et al. (2015). limma powers differential expression analyses for RNA-sequencing and microarray studies. Nucleic Acids Res 43:e47.</li>\
<li>Hänzelmann S, Castelo R, Guinney J (2013). GSVA: gene set variation analysis for microarray and RNA-seq data. BMC Bioinformatics 14:7.</li>\
<li>Bindea G et al. (2013). Spatiotemporal dynamics of intratumoral immune cells reveal the immune landscape in human cancer. Immunity 39:782–795.</li>\
<li>Bhuva DD et al. (2024). vissE: a versatile tool to identify and visualise higher-order molecular phenotypes from functional enrichment analysis. BMC Bioinformatics 25:64.</li>\
<li>Pons P, Latapy M (2006). Computing communities in large networks using random walks. J Graph Algorithms Appl 10:191–218.</li>\
<li>The Gene Ontology Consortium (2023). The Gene Ontology knowledgebase in 2023. Genetics 224:iyad031.</li>\
</ul></div>";
    s
}

fn provenance(r: &Results) -> String {
    let mut s = String::new();
    for (dir, run) in &r.runs {
        let _ = write!(
            s,
            "<h3>{} <span class=\"note\">({})</span></h3>",
            esc(run["subcommand"].as_str().unwrap_or("?")),
            esc(&dir.display().to_string())
        );
        let cmd: Vec<&str> = run["command_line"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let _ = write!(
            s,
            "<p>npxkit {} · <code>{}</code></p>",
            esc(run["version"].as_str().unwrap_or("?")),
            esc(&cmd.join(" "))
        );
        if let Some(inputs) = run["inputs"].as_array().filter(|a| !a.is_empty()) {
            s += "<table class=\"data\"><thead><tr><th>input</th><th>SHA-256</th></tr></thead><tbody>";
            for i in inputs {
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td><code>{}</code></td></tr>",
                    esc(i["path"].as_str().unwrap_or("")),
                    esc(i["sha256"].as_str().unwrap_or(""))
                );
            }
            s += "</tbody></table>";
        }
        if let Some(steps) = run["steps"].as_array().filter(|a| !a.is_empty()) {
            s += "<table class=\"data\"><thead><tr><th>step</th><th>seconds</th></tr></thead><tbody>";
            for st in steps {
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td class=\"num\">{:.3}</td></tr>",
                    esc(st["step"].as_str().unwrap_or("")),
                    st["seconds"].as_f64().unwrap_or(f64::NAN)
                );
            }
            s += "</tbody></table>";
        }
        let pretty = serde_json::to_string_pretty(run).unwrap_or_default();
        let _ = write!(
            s,
            "<details><summary>run.json</summary><pre>{}</pre></details>",
            esc(&pretty)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_numbers() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(show_num("0.000012345"), "1.23e-5");
        assert_eq!(show_num("1.23456789"), "1.235");
        assert_eq!(show_num("123.456"), "123.5");
        assert_eq!(show_num("42"), "42");
        assert_eq!(show_num("NA"), "NA");
    }

    #[test]
    fn quantiles_are_r_type_7() {
        let v = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile7(&v, 0.5), Some(3.0));
        assert_eq!(quantile7(&v, 0.25), Some(1.75));
        assert_eq!(quantile7(&v, 0.75), Some(5.0));
        assert_eq!(quantile7(&[2.5], 0.25), Some(2.5));
        assert_eq!(quantile7(&[], 0.5), None);
    }
}
