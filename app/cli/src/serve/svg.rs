//! The dashboard's charts as inline SVG: horizontal bars and lines over time. Plain strings, no scripts.
use super::html::esc;
use std::fmt::Write;

const COLOURS: [&str; 6] = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

/// One horizontal bar per item: (label, value, value as shown). Bars share one scale from 0 to the
/// largest value (or `max` when given, e.g. 1.0 for fractions).
pub fn bars(title: &str, items: &[(String, f64, String)], max: Option<f64>) -> String {
    let (w, row, left, right) = (560.0, 26.0, 170.0, 90.0);
    let h = 30.0 + row * items.len().max(1) as f64;
    let top = max.unwrap_or(0.0).max(items.iter().map(|i| i.1).fold(0.0, f64::max));
    let mut s = format!(r#"<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#, esc(title));
    let _ = write!(s, r#"<text x="0" y="16" class="t">{}</text>"#, esc(title));
    for (i, (label, value, shown)) in items.iter().enumerate() {
        let y = 26.0 + row * i as f64;
        let len = if top > 0.0 && value.is_finite() { (value.max(0.0) / top) * (w - left - right) } else { 0.0 };
        let _ = write!(
            s,
            r##"<text x="0" y="{ty}" class="l">{}</text><rect x="{left}" y="{y}" width="{len:.1}" height="{bh}" fill="{c}"/><text x="{tx:.1}" y="{ty}" class="v">{}</text>"##,
            esc(label),
            esc(shown),
            ty = y + 15.0,
            bh = row - 8.0,
            c = COLOURS[i % COLOURS.len()],
            tx = left + len + 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// One line per series over a shared x axis (one point per board, oldest first). `fmt` labels the y axis' top
/// and bottom; `x_labels` the x axis' ends.
pub fn lines(title: &str, series: &[(String, Vec<Option<f64>>)], fmt: &dyn Fn(f64) -> String, x_labels: (&str, &str)) -> String {
    let (w, h, left, bottom, top_pad) = (560.0, 216.0, 60.0, 36.0, 24.0);
    let points = series.iter().map(|s| s.1.len()).max().unwrap_or(0);
    let values = || series.iter().flat_map(|s| s.1.iter().flatten().copied()).filter(|v| v.is_finite());
    let (mut lo, mut hi) = (values().fold(f64::INFINITY, f64::min), values().fold(f64::NEG_INFINITY, f64::max));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    lo = lo.min(0.0);
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let x = |i: usize| left + (w - left - 10.0) * if points > 1 { i as f64 / (points - 1) as f64 } else { 0.5 };
    let y = |v: f64| top_pad + (h - top_pad - bottom) * (1.0 - (v - lo) / (hi - lo));
    let mut s = format!(r#"<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#, esc(title));
    let _ = write!(s, r#"<text x="0" y="16" class="t">{}</text>"#, esc(title));
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{yt}" x2="{left}" y2="{yb}" stroke="#999"/><line x1="{left}" y1="{yb}" x2="{xr}" y2="{yb}" stroke="#999"/><text x="{lx}" y="{yt1}" class="a">{}</text><text x="{lx}" y="{yb}" class="a">{}</text>"##,
        esc(&fmt(hi)),
        esc(&fmt(lo)),
        yt = y(hi),
        yb = y(lo),
        xr = w - 10.0,
        lx = left - 4.0,
        yt1 = y(hi) + 10.0,
    );
    let _ = write!(s, r#"<text x="{left}" y="{yl}" class="l">{}</text><text x="{xr}" y="{yl}" class="a">{}</text>"#, esc(x_labels.0), esc(x_labels.1), yl = h - 8.0, xr = w - 10.0);
    for (k, (name, vs)) in series.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        let path: Vec<String> = vs.iter().enumerate().filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| format!("{:.1},{:.1}", x(i), y(v)))).collect();
        if path.len() == 1 {
            let _ = write!(s, r#"<circle cx="{}" r="3" fill="{c}" cy="{}"/>"#, path[0].split(',').next().unwrap_or("0"), path[0].split(',').nth(1).unwrap_or("0"));
        } else if !path.is_empty() {
            let _ = write!(s, r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"#, path.join(" "));
        }
        let _ = write!(s, r#"<text x="{}" y="16" class="k" fill="{c}">{}</text>"#, 300.0 + 70.0 * k as f64, esc(name));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_succeeds_escaping_labels_and_scaling_to_the_largest() {
        let svg = bars("a<b", &[("x&y".into(), 2.0, "2".into()), ("z".into(), 1.0, "1".into())], None);
        assert!(svg.contains("a&lt;b") && svg.contains("x&amp;y"), "{svg}");
        assert!(svg.contains(r#"width="300.0""#) && svg.contains(r#"width="150.0""#), "{svg}");
    }

    #[test]
    fn lines_succeeds_with_gaps_and_a_single_point() {
        let svg = lines("u", &[("A".into(), vec![Some(0.1), None, Some(0.3)]), ("B".into(), vec![Some(0.2)])], &|v| format!("{v:.1}"), ("3 h ago", "now"));
        assert!(svg.contains("<polyline") && svg.contains("<circle") && svg.contains("3 h ago"), "{svg}");
    }
}
