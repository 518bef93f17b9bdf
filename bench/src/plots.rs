//! The report's plots, drawn as SVG with plotters from [`Results`] alone.

use crate::results::Results;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use std::path::Path;

/// The cold start plot, relative to the report.
pub const COLD_START: &str = "benchmarks/cold-start.svg";
/// The cross-component call plot, relative to the report.
pub const CROSS_CALL: &str = "benchmarks/cross-call.svg";
/// The throughput plot, relative to the report.
pub const THROUGHPUT: &str = "benchmarks/throughput.svg";
/// The density plot, relative to the report.
pub const DENSITY: &str = "benchmarks/density.svg";

const SIZE: (u32, u32) = (720, 260);

/// Draw every plot of `results` into `dir`, where the report goes.
pub fn draw(results: &Results, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("benchmarks"))?;
    let cold = &results.cold_start;
    let mut bars = vec![
        ("fused instance", cold.fused.median_ns / 1e3),
        ("fork/exec", cold.process_spawn.median_ns / 1e3),
    ];
    bars.extend(
        cold.unshare
            .as_ref()
            .map(|u| ("unshare", u.median_ns / 1e3)),
    );
    bars_log(
        &dir.join(COLD_START),
        "Cold start, median (µs, log scale)",
        &bars,
    )?;

    let add = &results.cross_call.add;
    bars_log(
        &dir.join(CROSS_CALL),
        "math.add per call, median (ns, log scale)",
        &[
            ("native", add.native.median_ns),
            ("fused", add.fused.median_ns),
            ("loopback HTTP", add.loopback_http.median_ns),
        ],
    )?;

    let rps: Vec<(&str, f64)> = results
        .throughput
        .load
        .labelled()
        .into_iter()
        .map(|(name, l)| (name, l.rps))
        .collect();
    bars_linear(&dir.join(THROUGHPUT), "requests per second", &rps)?;

    let points: Vec<(f64, f64)> = results
        .density
        .steps
        .iter()
        .map(|s| (s.live as f64, s.rss_kib as f64 / 1024.0))
        .collect();
    line(
        &dir.join(DENSITY),
        "server RSS (MiB) by live instances",
        &points,
    )
}

/// Horizontal bars on a log scale: one per `(label, value)`.
fn bars_log(path: &Path, caption: &str, values: &[(&str, f64)]) -> anyhow::Result<()> {
    let max = values.iter().map(|v| v.1).fold(1.0, f64::max) * 3.0;
    let min = values.iter().map(|v| v.1).fold(f64::MAX, f64::min) / 3.0;
    let style = BarStyle {
        start: min,
        color: BLUE,
        label_width: 150,
    };
    bars(path, caption, values, (min..max).log_scale(), style)
}

/// Horizontal bars on a linear scale from zero.
fn bars_linear(path: &Path, caption: &str, values: &[(&str, f64)]) -> anyhow::Result<()> {
    let max = values.iter().map(|v| v.1).fold(1.0, f64::max) * 1.1;
    let style = BarStyle {
        start: 0.0,
        color: GREEN,
        label_width: 170,
    };
    bars(path, caption, values, 0.0..max, style)
}

/// How a bar chart looks, beside its scale.
struct BarStyle {
    /// Where each bar starts on the value axis.
    start: f64,
    color: RGBColor,
    /// The room for the labels, in pixels.
    label_width: u32,
}

/// Horizontal bars on the value axis `x`: one per `(label, value)`.
fn bars<X>(
    path: &Path,
    caption: &str,
    values: &[(&str, f64)],
    x: X,
    style: BarStyle,
) -> anyhow::Result<()>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let labels: Vec<String> = values.iter().map(|v| v.0.to_owned()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(style.label_width)
        .build_cartesian_2d(x, (0..values.len()).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    chart.draw_series(values.iter().enumerate().map(|(i, (_, v))| {
        let mut bar = Rectangle::new(
            [
                (style.start, SegmentValue::Exact(i)),
                (*v, SegmentValue::Exact(i + 1)),
            ],
            style.color.mix(0.6).filled(),
        );
        bar.set_margin(6, 6, 0, 0);
        bar
    }))?;
    root.present()?;
    Ok(())
}

/// A line through `points`, with a marker on each.
fn line(path: &Path, caption: &str, points: &[(f64, f64)]) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let max_x = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let max_y = points.iter().map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)?;
    chart.configure_mesh().draw()?;
    chart.draw_series(LineSeries::new(points.iter().copied(), &RED))?;
    chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, RED.filled())))?;
    root.present()?;
    Ok(())
}
