//! The HTML of `report.html`: inline CSS and SVG only (no script, no fonts, no links out), each
//! chart followed by a table of the same numbers, evidence in `<details>` one click away.
use super::{Labels, Report, TargetReport};
use std::fmt::Write;

const COLORS: [&str; 3] = ["#2b6cb0", "#c53030", "#a0aec0"];
const NAMES: [&str; 3] = ["favor", "against", "none"];

/// Escape text for HTML content and attribute values.
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

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1a202c;padding:0 16px}\
h1{font-size:24px}h2{font-size:19px;margin-top:36px;border-bottom:1px solid #cbd5e0}h3{font-size:16px;margin-top:24px}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}td,th{border:1px solid #e2e8f0;padding:3px 8px;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f7fafc}\
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}\
details summary{cursor:pointer;color:#2c5282}details li{margin:4px 0}.muted{color:#718096}\
.f{color:#2b6cb0}.a{color:#c53030}.o{color:#718096}svg text{font:12px system-ui,sans-serif;fill:#2d3748}";

fn legend() -> String {
    let mut s = String::from("<p class=\"legend\">");
    for i in 0..3 {
        let _ = write!(s, "<span style=\"background:{}\"></span>{}", COLORS[i], NAMES[i]);
    }
    s + "</p>"
}

fn label_class(l: &str) -> &'static str {
    match l {
        "favor" => "f",
        "against" => "a",
        _ => "o",
    }
}

/// Diverging bars: against to the left of the axis, favor to the right, none in a column of its own.
fn diverging(t: &TargetReport) -> String {
    let (name_w, half, gap, none_w, row) = (230.0, 260.0, 30.0, 120.0, 22.0);
    let max_side = t.actors.iter().map(|a| a.docs.0[0].max(a.docs.0[1])).max().unwrap_or(1).max(1) as f64;
    let max_none = t.actors.iter().map(|a| a.docs.0[2]).max().unwrap_or(1).max(1) as f64;
    let axis = name_w + half;
    let none_x = axis + half + gap;
    let w = none_x + none_w + 40.0;
    let h = row * t.actors.len() as f64 + 30.0;
    let mut s = format!("<svg role=\"img\" aria-label=\"stance by actor\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">");
    let _ = write!(s, "<text x=\"{}\" y=\"14\" text-anchor=\"end\">◀ against</text><text x=\"{}\" y=\"14\">favor ▶</text><text x=\"{none_x}\" y=\"14\">none</text>", axis - 6.0, axis + 6.0);
    for (i, a) in t.actors.iter().enumerate() {
        let y = 24.0 + row * i as f64;
        let [f, ag, n] = a.docs.0;
        // bars stop short of the name column and the none column, leaving room for their counts
        let (wf, wa, wn) = ((half - 28.0) * f as f64 / max_side, (half - 28.0) * ag as f64 / max_side, (none_w - 28.0) * n as f64 / max_none);
        let _ = write!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", name_w - 8.0, y + 12.0, esc(&short(&a.name, 30)));
        let _ = write!(s, "<rect x=\"{}\" y=\"{y}\" width=\"{wa}\" height=\"16\" fill=\"{}\"><title>{}: against in {ag} documents</title></rect>", axis - wa, COLORS[1], esc(&a.name));
        let _ = write!(s, "<rect x=\"{axis}\" y=\"{y}\" width=\"{wf}\" height=\"16\" fill=\"{}\"><title>{}: favor in {f} documents</title></rect>", COLORS[0], esc(&a.name));
        let _ = write!(s, "<rect x=\"{none_x}\" y=\"{y}\" width=\"{wn}\" height=\"16\" fill=\"{}\"><title>{}: none in {n} documents</title></rect>", COLORS[2], esc(&a.name));
        for (x, v, anchor) in [(axis - wa - 4.0, ag, "end"), (axis + wf + 4.0, f, "start"), (none_x + wn + 4.0, n, "start")] {
            if v > 0 {
                let _ = write!(s, "<text x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\">{v}</text>", y + 12.0);
            }
        }
    }
    let _ = write!(s, "<line x1=\"{axis}\" x2=\"{axis}\" y1=\"20\" y2=\"{h}\" stroke=\"#4a5568\"/></svg>");
    s
}

/// Horizontal stacked bars (favor, against, none) per row key.
fn stacked_rows(rows: &[(String, Labels)], what: &str) -> String {
    let (name_w, bar_w, row) = (200.0, 600.0, 22.0);
    let max = rows.iter().map(|r| r.1.total()).max().unwrap_or(1).max(1) as f64;
    let h = row * rows.len() as f64 + 8.0;
    let w = name_w + bar_w + 60.0;
    let mut s = format!("<svg role=\"img\" aria-label=\"documents by {what}\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">");
    for (i, (k, l)) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let _ = write!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", name_w - 8.0, y + 12.0, esc(&short(k, 28)));
        let mut x = name_w;
        for (j, &v) in l.0.iter().enumerate() {
            let bw = bar_w * v as f64 / max;
            if v > 0 {
                let _ = write!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"16\" fill=\"{}\"><title>{}: {v} {}</title></rect>", COLORS[j], esc(k), NAMES[j]);
            }
            x += bw;
        }
        let _ = write!(s, "<text x=\"{}\" y=\"{}\">{}</text>", x + 4.0, y + 12.0, l.total());
    }
    s + "</svg>"
}

/// Vertical stacked bars per period.
fn timeline(rows: &[(String, Labels)]) -> String {
    let (bar, gap, plot_h) = (18.0f64, 4.0, 160.0);
    let max = rows.iter().map(|r| r.1.total()).max().unwrap_or(1).max(1) as f64;
    let w = ((bar + gap) * rows.len() as f64 + 60.0).max(300.0);
    let h = plot_h + 90.0;
    let mut s = format!("<svg role=\"img\" aria-label=\"documents over time\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">");
    let _ = write!(s, "<text x=\"0\" y=\"12\">{}</text>", max as usize);
    for (i, (k, l)) in rows.iter().enumerate() {
        let x = 30.0 + (bar + gap) * i as f64;
        let mut y = 10.0 + plot_h;
        for (j, &v) in l.0.iter().enumerate() {
            let bh = plot_h * v as f64 / max;
            y -= bh;
            if v > 0 {
                let _ = write!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{bh}\" fill=\"{}\"><title>{}: {v} {}</title></rect>", COLORS[j], esc(k), NAMES[j]);
            }
        }
        let ty = plot_h + 16.0;
        let _ = write!(s, "<text transform=\"translate({},{ty}) rotate(60)\">{}</text>", x + 4.0, esc(k));
    }
    let _ = write!(s, "<line x1=\"28\" x2=\"{w}\" y1=\"{}\" y2=\"{}\" stroke=\"#4a5568\"/></svg>", 10.0 + plot_h, 10.0 + plot_h);
    s
}

fn label_table(rows: &[(String, Labels)], key: &str) -> String {
    let mut s = format!("<table><tr><th>{}</th><th class=\"n\">favor</th><th class=\"n\">against</th><th class=\"n\">none</th><th class=\"n\">documents</th></tr>", esc(key));
    for (k, l) in rows {
        let _ = write!(s, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", esc(k), l.0[0], l.0[1], l.0[2], l.total());
    }
    s + "</table>"
}

fn target_section(t: &TargetReport, period: &str, out: &mut String) {
    let _ = write!(out, "<h2 id=\"t-{}\">Target: {}</h2>", esc(&t.target), esc(&t.target));
    let d = t.relevant_docs;
    let _ = write!(
        out,
        "<p>{} documents name the target ({} favor, {} against, {} none), in {} relevant sentences.</p>",
        d.total(), d.0[0], d.0[1], d.0[2], t.relevant_sentences
    );
    out.push_str("<h3>Stance by actor</h3>");
    if t.actors.is_empty() {
        out.push_str("<p class=\"muted\">No actor holds a stance toward this target in this run.</p>");
    } else {
        let _ = write!(out, "<p class=\"muted\">The {} canonical actors with the most documents; bars count documents per label.</p>", t.actors.len());
        out.push_str(&legend());
        out.push_str(&diverging(t));
        out.push_str("<table><tr><th>actor</th><th>type</th><th class=\"n\">favor</th><th class=\"n\">against</th><th class=\"n\">none</th><th>languages</th><th>evidence</th></tr>");
        for a in &t.actors {
            let _ = write!(
                out,
                "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>",
                esc(&format!("{} · variants: {}", a.id, a.variants)), esc(&a.name), esc(&a.entity_label), a.docs.0[0], a.docs.0[1], a.docs.0[2], esc(&a.languages)
            );
            if a.evidence.is_empty() {
                out.push_str("<span class=\"muted\">—</span>");
            } else {
                let _ = write!(out, "<details><summary>{} sentence{}</summary><ul>", a.evidence.len(), if a.evidence.len() == 1 { "" } else { "s" });
                for e in &a.evidence {
                    let _ = write!(
                        out,
                        "<li><b class=\"{}\">{}</b> <span class=\"muted\">{} · {} · {} · sentence {}</span><br>{}</li>",
                        label_class(&e.label), esc(&e.label), esc(&e.doc_id), esc(&e.lang), esc(if e.date.is_empty() { "no date" } else { &e.date }), e.sentence, esc(&e.text)
                    );
                }
                out.push_str("</ul></details>");
            }
            out.push_str("</td></tr>");
        }
        out.push_str("</table>");
    }
    let _ = write!(out, "<h3>Documents over time (by {period})</h3>");
    if t.by_period.is_empty() {
        out.push_str("<p class=\"muted\">No relevant document has a date.</p>");
    } else {
        let rows: Vec<_> = t.by_period.iter().map(|(k, v)| (k.clone(), *v)).collect();
        out.push_str(&legend());
        out.push_str(&timeline(&rows));
        out.push_str(&label_table(&rows, period));
    }
    for (title, map, key) in [("Documents by language", &t.by_lang, "language"), ("Documents by source", &t.by_source, "source")] {
        let _ = write!(out, "<h3>{title}</h3>");
        if map.is_empty() {
            out.push_str("<p class=\"muted\">No relevant document.</p>");
            continue;
        }
        let mut rows: Vec<_> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
        rows.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| a.0.cmp(&b.0)));
        out.push_str(&stacked_rows(&rows, key));
        out.push_str(&label_table(&rows, key));
    }
    out.push_str("<h3>Relevant documents and sentences</h3><table><tr><th>found by</th><th class=\"n\">sentences</th></tr>");
    for (k, v) in &t.relevant_by {
        let _ = write!(out, "<tr><td>{}</td><td class=\"n\">{v}</td></tr>", esc(k));
    }
    out.push_str("</table>");
    let shown = if t.docs.len() < d.total() { format!("the first {} of {}", t.docs.len(), d.total()) } else { format!("all {}", d.total()) };
    let _ = write!(out, "<details><summary>Documents ({shown}, in input order)</summary><table><tr><th>document</th><th>date</th><th>language</th><th>title</th><th>stance</th><th class=\"n\">relevant sentences</th></tr>");
    for x in &t.docs {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&x.id), esc(&x.date), esc(&x.lang), esc(&short(&x.title, 90)), label_class(&x.label), esc(&x.label), x.relevant_sentences
        );
    }
    out.push_str("</table></details>");
}

/// The whole page.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = write!(o, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>pactwatch report: {}</title><style>{CSS}</style></head><body>", esc(&r.run_dir));
    let _ = write!(o, "<h1>pactwatch report</h1><p class=\"muted\">Run directory <code>{}</code> · {} documents</p>", esc(&r.run_dir), r.documents);
    o.push_str("<p>Contents: ");
    for t in &r.targets {
        let _ = write!(o, "<a href=\"#t-{}\">{}</a> · ", esc(&t.target), esc(&t.target));
    }
    o.push_str("<a href=\"#entities\">entities</a> · <a href=\"#health\">run health</a></p>");
    if r.targets.is_empty() {
        o.push_str("<p class=\"muted\">This run has no stance rows (was the stance stage on?).</p>");
    }
    for t in &r.targets {
        target_section(t, r.period, &mut o);
    }
    o.push_str("<h2 id=\"entities\">Most frequent entities</h2>");
    for (ty, list) in &r.entities {
        let _ = write!(o, "<h3>{}</h3><table><tr><th>entity</th><th>canonical id</th><th class=\"n\">mentions</th><th class=\"n\">documents</th></tr>", esc(ty));
        for e in list {
            let _ = write!(o, "<tr><td>{}</td><td class=\"muted\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", esc(&e.name), esc(&e.id), e.mentions, e.docs);
        }
        o.push_str("</table>");
    }
    o.push_str("<h2 id=\"health\">Run health</h2><table>");
    for k in ["read", "annotated", "failed", "sentences", "entities", "tokens", "stance_rows", "actor_rows", "corpus_actor_rows"] {
        if let Some(v) = r.counts.get(k) {
            let _ = write!(o, "<tr><th>{k}</th><td class=\"n\">{v}</td></tr>");
        }
    }
    let cov = if r.chars_total > 0 { 100.0 * r.chars_covered as f64 / r.chars_total as f64 } else { 100.0 };
    let _ = write!(o, "<tr><th>characters covered by tokens</th><td class=\"n\">{cov:.2} % ({} of {})</td></tr>", r.chars_covered, r.chars_total);
    let _ = write!(o, "<tr><th>documents not fully covered</th><td class=\"n\">{}</td></tr>", r.incomplete_docs);
    if let Some(s) = r.seconds {
        let _ = write!(o, "<tr><th>run time</th><td class=\"n\">{s:.1} s</td></tr>");
    }
    o.push_str("</table><h3>Documents by language</h3>");
    o.push_str(&label_table_plain(&r.docs_per_lang));
    o.push_str("<h3>Errors</h3>");
    if r.errors.is_empty() {
        o.push_str("<p>No input record failed.</p>");
    } else {
        o.push_str("<table><tr><th>kind and reason</th><th class=\"n\">records</th></tr>");
        for (k, v) in &r.errors {
            let _ = write!(o, "<tr><td>{}</td><td class=\"n\">{v}</td></tr>", esc(k));
        }
        o.push_str("</table>");
    }
    o.push_str("<h3>Models</h3><table><tr><th>role</th><th>directory</th><th>weights (sha256, first 12)</th></tr>");
    for (role, dir, sha) in &r.models {
        let _ = write!(o, "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>", esc(role), esc(dir), esc(sha));
    }
    let _ = write!(o, "</table><p class=\"muted\">Command: <code>{}</code></p></body></html>\n", esc(&r.command));
    o
}

fn label_table_plain(m: &std::collections::BTreeMap<String, usize>) -> String {
    let mut s = String::from("<table><tr><th>language</th><th class=\"n\">documents</th></tr>");
    for (k, v) in m {
        let _ = write!(s, "<tr><td>{}</td><td class=\"n\">{v}</td></tr>", esc(k));
    }
    s + "</table>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<a href=\"x\">O'Neil & co</a>"), "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
        assert_eq!(short("Wolodymyr Selenskyj", 10), "Wolodymyr…");
    }
}
