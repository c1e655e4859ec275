//! The dashboard's Stress page: the latest `ballast sim --report` (what the simulator measured on this
//! program, Ballast beside the SPL-style baseline) next to the live market it is meant to protect. The report is
//! read once, when the server starts; its charts are served from its directory.
use super::{board::Board, html::esc};
use anyhow::{anyhow, Context, Result};
use std::{
    fmt::Write,
    path::{Path, PathBuf},
};

/// The measures the page shows per scenario (rows of the report's first table, by name).
const MEASURES: [&str; 6] = ["bad debt", "depositor loss", "insurance drawn", "bonus paid by solvent borrowers", "liquidations", "min LCR"];

/// One scenario of a report: its name, its one-line description and the rows of [`MEASURES`] it has
/// (measure, Ballast, baseline, Ballast − baseline).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub rows: Vec<[String; 4]>,
    /// File name of its bad-debt chart, when the directory holds one.
    pub chart: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub dir: PathBuf,
    pub scenarios: Vec<Scenario>,
}

/// The newest `sim-*` directory under `root` holding a `report.md` (names carry the date, so the greatest is
/// the newest).
pub fn newest(root: &Path) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("sim-")) && p.join("report.md").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// Reads `dir/report.md` as `ballast sim --report` writes it: a `## name` section per scenario, its description
/// on the first line, then its summary table.
pub fn load(dir: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(dir.join("report.md")).with_context(|| format!("--report {}: no report.md (write one with `ballast sim --report DIR`)", dir.display()))?;
    let mut scenarios: Vec<Scenario> = vec![];
    let mut in_table = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            if name.starts_with("The ") {
                break; // the appendix (the baseline, the definitions)
            }
            let chart = format!("{name}-bad-debt.svg");
            scenarios.push(Scenario { name: name.to_string(), description: String::new(), rows: vec![], chart: dir.join(&chart).is_file().then_some(chart) });
            in_table = false;
            continue;
        }
        let Some(s) = scenarios.last_mut() else { continue };
        if s.description.is_empty() && !line.trim().is_empty() && !line.starts_with('|') {
            s.description = line.trim().to_string();
        } else if line.starts_with("| measure") {
            in_table = s.rows.is_empty();
        } else if in_table && line.starts_with('|') {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            if let [measure, ballast, baseline, diff] = cells[..] {
                if MEASURES.contains(&measure) {
                    s.rows.push([measure, ballast, baseline, diff].map(str::to_string));
                }
            }
        } else if in_table && line.trim().is_empty() && !s.rows.is_empty() {
            in_table = false;
        }
    }
    if scenarios.is_empty() {
        return Err(anyhow!("{}: no scenario sections in report.md", dir.display()));
    }
    Ok(Report { dir: dir.to_path_buf(), scenarios })
}

/// Whether `name` is a file the page may serve from the report's directory: a chart, by plain name.
pub fn servable(name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    matches!(ext, "svg" | "png") && !stem.is_empty() && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The page: the live market's reserves (price, utilization, LCR, value at risk) beside the report's
/// scenarios (the chosen measures and each one's bad-debt chart).
pub fn page(board: &Board, report: Option<&Report>) -> String {
    let mut s = String::from("<div class=\"charts\"><div><h3>Live market</h3><table><tr><th>asset</th><th>price</th><th>utilization</th><th>LCR</th></tr>");
    for r in &board.reserves {
        let pct = |k: &str| r[k].as_f64().map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "–".into());
        let price = r["price"].as_f64().map(|p| format!("{p:.4}")).unwrap_or_else(|| "–".into());
        let sym = esc(r["symbol"].as_str().unwrap_or(""));
        let _ = write!(s, "<tr><td>{sym}</td><td class=\"n\" data-cell=\"{sym}.price\">{price}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", pct("utilization"), pct("lcr"));
    }
    let _ = write!(s, "</table><p>{} obligations; debt {:.0} (quote units). {}</p></div>", board.obligations.len(), board.risk.debt_value, esc(&board.status));
    match report {
        None => s.push_str(
            "<div><h3>Stress report</h3><p>No simulator report: write one with <code>ballast sim --report reports/sim-$(date +%F)</code> and start <code>serve</code> with <code>--report</code> that directory (or from the repository root, where the newest <code>reports/sim-*</code> is found).</p></div>",
        ),
        Some(rep) => {
            let _ = write!(s, "<div><h3>Stress report</h3><p>From <code>{}</code>: every path on the real program, Ballast beside an SPL-style baseline; means with 95% intervals, paired differences.</p>", esc(&rep.dir.display().to_string()));
            for sc in &rep.scenarios {
                let _ = write!(s, "<h4 data-scenario=\"{0}\">{0}</h4><p>{1}</p><table><tr><th>measure</th><th>Ballast</th><th>baseline</th><th>Ballast − baseline</th></tr>", esc(&sc.name), esc(&sc.description));
                for row in &sc.rows {
                    let _ = write!(s, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", esc(&row[0]), esc(&row[1]), esc(&row[2]), esc(&row[3]));
                }
                s.push_str("</table>");
                if let Some(chart) = &sc.chart {
                    let _ = write!(s, "<img src=\"/stress/{0}\" alt=\"{0}\" width=\"480\">", esc(chart));
                }
            }
            s.push_str("</div>");
        }
    }
    s.push_str("</div>");
    s
}
