//! `ballast sim --out DIR`: per scenario, four charts as SVG and PNG. The first path's market prices (indexed to
//! 100) with each config's liquidations marked; every path's bad debt under both configs, sorted (the
//! distribution); the first path's utilization and LCR over time under both; and its withdrawal queue.
use super::ScenarioReport;
use anyhow::{anyhow, Result};
use plotters::{coord::Shift, prelude::*};
use std::path::{Path, PathBuf};

const SIZE: (u32, u32) = (960, 540);
const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSansMono.ttf");

fn err(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow!("plot: {e:?}")
}

/// Writes `<dir>/<scenario>-{prices,bad-debt,liquidity,queue}.{svg,png}`; returns the files written.
pub fn write(dir: &Path, r: &ScenarioReport) -> Result<Vec<PathBuf>> {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    // PNG text needs a registered font (SVG text does not).
    REGISTERED.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
    std::fs::create_dir_all(dir).map_err(|e| anyhow!("--out {}: {e}", dir.display()))?;
    let mut files = vec![];
    if r.ballast.is_empty() {
        return Ok(files);
    }
    for kind in [Kind::Prices, Kind::BadDebt, Kind::Liquidity, Kind::Queue] {
        let svg = dir.join(format!("{}-{}.svg", r.name, kind.name()));
        draw(kind, SVGBackend::new(&svg, SIZE).into_drawing_area(), r)?;
        let png = dir.join(format!("{}-{}.png", r.name, kind.name()));
        draw(kind, BitMapBackend::new(&png, SIZE).into_drawing_area(), r)?;
        files.extend([svg, png]);
    }
    Ok(files)
}

#[derive(Clone, Copy)]
enum Kind {
    Prices,
    BadDebt,
    Liquidity,
    Queue,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Prices => "prices",
            Kind::BadDebt => "bad-debt",
            Kind::Liquidity => "liquidity",
            Kind::Queue => "queue",
        }
    }
}

/// Each chart on any backend: the same drawing becomes the SVG and the PNG.
fn draw<DB: DrawingBackend>(kind: Kind, root: DrawingArea<DB, Shift>, r: &ScenarioReport) -> Result<()> {
    match kind {
        Kind::Prices => draw_prices(root, r),
        Kind::BadDebt => draw_bad_debt(root, r),
        Kind::Liquidity => draw_liquidity(root, r),
        Kind::Queue => draw_queue(root, r),
    }
}

/// Path 1's grid times in hours.
fn hours(r: &ScenarioReport) -> Vec<f64> {
    r.ballast[0].times.iter().map(|t| *t as f64 / 3_600.0).collect()
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>;

/// The frame every chart shares: white background, caption, labelled axes over `x` × `y`.
fn frame<'a, DB: DrawingBackend>(root: &'a DrawingArea<DB, Shift>, caption: String, x: std::ops::Range<f64>, y: std::ops::Range<f64>, desc: (&str, &str)) -> Result<Chart<'a, DB>> {
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(root).caption(caption, (FONT, 20)).margin(12).x_label_area_size(36).y_label_area_size(64).build_cartesian_2d(x, y).map_err(err)?;
    chart.configure_mesh().x_desc(desc.0).y_desc(desc.1).label_style((FONT, 13)).draw().map_err(err)?;
    Ok(chart)
}

/// The legend, then the file written.
fn finish<'a, DB: DrawingBackend + 'a>(root: &DrawingArea<DB, Shift>, mut chart: Chart<'a, DB>) -> Result<()> {
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).label_font((FONT, 13)).draw().map_err(err)?;
    root.present().map_err(err)
}

const BALLAST: RGBColor = RGBColor(31, 119, 180);
const BASELINE: RGBColor = RGBColor(214, 39, 40);

fn draw_prices<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, r: &ScenarioReport) -> Result<()> {
    let x = hours(r);
    let p = &r.ballast[0];
    let assets = p.prices.first().map_or(0, |row| row.len());
    let first = |i: usize| p.prices[0][i].max(f64::MIN_POSITIVE);
    let indexed: Vec<Vec<f64>> = (0..assets).map(|i| p.prices.iter().map(|row| 100.0 * row[i] / first(i)).collect()).collect();
    let top = indexed.iter().flatten().copied().fold(100.0, f64::max) * 1.05;
    let caption = format!("{}: market prices of path 1 (start = 100), liquidations marked", r.name);
    let mut chart = frame(&root, caption, 0f64..r.hours, 0f64..top, ("hours", "price index"))?;
    for (i, series) in indexed.iter().enumerate() {
        let color = Palette99::pick(i + 2).to_rgba();
        let name = r.per_reserve.get(i).map_or(format!("asset {i}"), |x| x.0.clone());
        chart
            .draw_series(LineSeries::new(x.iter().copied().zip(series.iter().copied()), color.stroke_width(2)))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
    }
    for (paths, name, color, y) in [(&r.ballast, "ballast", BALLAST, top * 0.97), (&r.baseline, "spl-baseline", BASELINE, top * 0.93)] {
        let marks = paths[0].liquidations_per_step.iter().zip(&x).filter(|(n, _)| **n > 0).map(|(n, t)| Circle::new((*t, y), 2 + (*n as i32).min(8), color.filled()));
        chart.draw_series(marks).map_err(err)?.label(format!("{name} liquidations")).legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
    }
    finish(&root, chart)
}

fn draw_bad_debt<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, r: &ScenarioReport) -> Result<()> {
    let sorted = |c: &[super::path::PathResult]| {
        let mut v: Vec<f64> = c.iter().map(|p| p.bad_debt).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (a, b) = (sorted(&r.ballast), sorted(&r.baseline));
    let top = a.iter().chain(&b).copied().fold(1.0, f64::max) * 1.1;
    let n = a.len().max(1);
    let mut chart = frame(&root, format!("{}: bad debt per path, sorted (quote units)", r.name), 0f64..n as f64, 0f64..top, ("paths, by bad debt", "bad debt"))?;
    for (values, color, offset, name) in [(&a, BALLAST, 0.1, "ballast"), (&b, BASELINE, 0.5, "spl-baseline")] {
        let bars = values.iter().enumerate().map(move |(i, v)| Rectangle::new([(i as f64 + offset, 0.0), (i as f64 + offset + 0.4, *v)], color.filled()));
        chart.draw_series(bars).map_err(err)?.label(name.to_string()).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    finish(&root, chart)
}

fn draw_liquidity<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, r: &ScenarioReport) -> Result<()> {
    let x = hours(r);
    let lcr_top = [&r.ballast, &r.baseline].iter().flat_map(|c| c[0].lcr.iter().copied()).fold(1.0, f64::max).min(10.0) * 1.1;
    let top = lcr_top.max(1.05);
    let caption = format!("{}: path 1, utilization and LCR of the borrowed reserve", r.name);
    let mut chart = frame(&root, caption, 0f64..r.hours, 0f64..top, ("hours", "ratio (1 = 100%)"))?;
    for (paths, name, color) in [(&r.ballast, "ballast", BALLAST), (&r.baseline, "spl-baseline", BASELINE)] {
        let p = &paths[0];
        let points = |v: &[f64]| x.iter().copied().zip(v.iter().map(|y| y.min(top))).collect::<Vec<_>>();
        chart
            .draw_series(LineSeries::new(points(&p.utilization), color.stroke_width(2)))
            .map_err(err)?
            .label(format!("{name} utilization"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(points(&p.lcr), color.mix(0.5).stroke_width(1)))
            .map_err(err)?
            .label(format!("{name} LCR"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.mix(0.5).stroke_width(1)));
    }
    chart.draw_series(LineSeries::new([(0.0, 1.0), (r.hours, 1.0)], BLACK.mix(0.3))).map_err(err)?;
    finish(&root, chart)
}

fn draw_queue<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, r: &ScenarioReport) -> Result<()> {
    let x = hours(r);
    let top = [&r.ballast, &r.baseline].iter().flat_map(|c| c[0].queue.iter().copied()).fold(1.0, f64::max) * 1.1;
    let caption = format!("{}: path 1, withdrawal queue of the borrowed reserve (quote)", r.name);
    let mut chart = frame(&root, caption, 0f64..r.hours, 0f64..top, ("hours", "queued"))?;
    let p = &r.ballast[0];
    chart
        .draw_series(LineSeries::new(x.iter().copied().zip(p.queue.iter().copied()), BALLAST.stroke_width(2)))
        .map_err(err)?
        .label("ballast queue")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], BALLAST.stroke_width(2)));
    finish(&root, chart)
}
