//! The report's plots, drawn as SVG with plotters.

use plotters::prelude::*;

const SIZE: (u32, u32) = (720, 260);

fn path(file: &str) -> std::path::PathBuf {
    let path = crate::out_dir().join(file);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    path
}

/// Horizontal bars on a log scale: one per `(label, value)`.
pub fn bars(file: &str, caption: &str, values: &[(&str, f64)]) -> anyhow::Result<()> {
    let path = path(file);
    let root = SVGBackend::new(&path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let max = values.iter().map(|v| v.1).fold(1.0, f64::max) * 3.0;
    let min = values.iter().map(|v| v.1).fold(f64::MAX, f64::min) / 3.0;
    let labels: Vec<String> = values.iter().map(|v| v.0.to_owned()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(150)
        .build_cartesian_2d((min..max).log_scale(), (0..values.len()).into_segmented())?;
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
                (min, SegmentValue::Exact(i)),
                (*v, SegmentValue::Exact(i + 1)),
            ],
            BLUE.mix(0.6).filled(),
        );
        bar.set_margin(6, 6, 0, 0);
        bar
    }))?;
    root.present()?;
    Ok(())
}

/// Horizontal bars on a linear scale from zero.
pub fn bars_linear(file: &str, caption: &str, values: &[(&str, f64)]) -> anyhow::Result<()> {
    let path = path(file);
    let root = SVGBackend::new(&path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let max = values.iter().map(|v| v.1).fold(1.0, f64::max) * 1.1;
    let labels: Vec<String> = values.iter().map(|v| v.0.to_owned()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(170)
        .build_cartesian_2d(0.0..max, (0..values.len()).into_segmented())?;
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
                (0.0, SegmentValue::Exact(i)),
                (*v, SegmentValue::Exact(i + 1)),
            ],
            GREEN.mix(0.6).filled(),
        );
        bar.set_margin(6, 6, 0, 0);
        bar
    }))?;
    root.present()?;
    Ok(())
}

/// A line through `points`, with a marker on each.
pub fn line(file: &str, caption: &str, points: &[(f64, f64)]) -> anyhow::Result<()> {
    let path = path(file);
    let root = SVGBackend::new(&path, SIZE).into_drawing_area();
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
