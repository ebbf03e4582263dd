//! The digests' charts drawn as PNG: plotters on an in-memory bitmap, with DejaVu Sans built
//! into the binary (the `dejavu` crate), so no system font is needed, then encoded with `png`.

use std::sync::OnceLock;

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::domain::charts::{Chart, WeekPractice};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 450;
const FONT: &str = "sans-serif";

const LIVE: RGBColor = RGBColor(29, 59, 88);
const ROLEPLAY: RGBColor = RGBColor(120, 160, 200);
const ACTIVE: RGBColor = RGBColor(220, 120, 40);
const CHECKPOINTS: [RGBColor; 3] = [
    RGBColor(120, 160, 200),
    RGBColor(60, 110, 160),
    RGBColor(29, 59, 88),
];

/// The chart as a PNG file's bytes.
pub fn png(chart: &Chart) -> anyhow::Result<Vec<u8>> {
    font_registered()?;
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).context("cannot clear the chart")?;
        draw(&root, chart)?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&pixels))
        .context("cannot encode the chart as PNG")?;
    Ok(out)
}

fn font_registered() -> anyhow::Result<()> {
    static FONT_REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered = *FONT_REGISTERED
        .get_or_init(|| register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok());
    anyhow::ensure!(registered, "the built-in font could not be loaded");
    Ok(())
}

/// The chart as an SVG document, for a page to show inline.
pub fn svg(chart: &Chart) -> anyhow::Result<String> {
    font_registered()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).context("cannot clear the chart")?;
        draw(&root, chart)?;
    }
    Ok(out)
}

fn draw<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    match chart {
        Chart::TeamPractice { title, weeks } => team_practice(root, title, weeks),
        Chart::Adoption {
            title,
            skills,
            checkpoints,
        } => adoption(root, title, skills, checkpoints),
        Chart::Pipeline { title, weeks } => pipeline(root, title, weeks),
    }
    .map_err(|e| anyhow::anyhow!("cannot draw the chart: {e}"))?;
    root.present()
        .map_err(|e| anyhow::anyhow!("cannot draw the chart: {e}"))
}

type Area<DB> = DrawingArea<DB, plotters::coord::Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error + 'static>>;

/// Stacked bars of live deals over role-plays per week, and the share of reps active as a line
/// against the right-hand axis.
fn team_practice<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    weeks: &[WeekPractice],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = weeks.len().max(1) as f64;
    let top = weeks
        .iter()
        .map(|w| w.live + w.roleplay)
        .max()
        .unwrap_or(0)
        .max(4) as f64
        * 1.4; // headroom for the legend above the bars
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 22))
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .right_y_label_area_size(56)
        .build_cartesian_2d(0.5..n + 0.5, 0.0..top)?
        .set_secondary_coord(0.5..n + 0.5, 0.0..100.0);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(weeks.len().max(1))
        .x_label_formatter(&|x| format!("Week {}", x.round()))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE)
        .y_desc("practice logged")
        .label_style((FONT, 14))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("reps active")
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .label_style((FONT, 14))
        .draw()?;
    let bar = |w: &WeekPractice, from: usize, to: usize, color: RGBColor| {
        let x = f64::from(w.week);
        Rectangle::new(
            [(x - 0.32, from as f64), (x + 0.32, to as f64)],
            color.filled(),
        )
    };
    chart
        .draw_series(weeks.iter().map(|w| bar(w, 0, w.roleplay, ROLEPLAY)))?
        .label("role-plays")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], ROLEPLAY.filled()));
    chart
        .draw_series(
            weeks
                .iter()
                .map(|w| bar(w, w.roleplay, w.roleplay + w.live, LIVE)),
        )?
        .label("live deals")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], LIVE.filled()));
    chart
        .draw_secondary_series(LineSeries::new(
            weeks.iter().map(|w| (f64::from(w.week), w.active * 100.0)),
            ACTIVE.stroke_width(3),
        ))?
        .label("reps active")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], ACTIVE.stroke_width(3)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

/// Per skill, a bar for each checkpoint reached: the share of reps still practising it.
fn adoption<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    skills: &[String],
    checkpoints: &[(u32, Vec<f64>)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = skills.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..110.0)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(skills.len().max(1))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 {
                skills.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .light_line_style(WHITE)
        .y_desc("reps still practising")
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .label_style((FONT, 13))
        .draw()?;
    let width = 0.8 / checkpoints.len().max(1) as f64;
    for (k, (day, shares)) in checkpoints.iter().enumerate() {
        let color = CHECKPOINTS[k % CHECKPOINTS.len()];
        chart
            .draw_series(shares.iter().enumerate().map(|(i, share)| {
                let left = i as f64 - 0.4 + width * k as f64;
                Rectangle::new(
                    [(left, 0.0), (left + width * 0.9, share * 100.0)],
                    color.filled(),
                )
            }))?
            .label(format!("day {day}"))
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

/// Per week since the kickoff, this year's pipeline created beside the same week's a year
/// earlier.
fn pipeline<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    weeks: &[(u32, i64, i64)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = weeks.len().max(1) as f64;
    let top = weeks
        .iter()
        .map(|(_, now, then)| (*now).max(*then))
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.3;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 22))
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(80)
        .build_cartesian_2d(0.5..n + 0.5, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(weeks.len().max(1))
        .x_label_formatter(&|x| format!("Week {}", x.round()))
        .y_label_formatter(&|y| crate::domain::results::amount((*y * 100.0) as i64))
        .light_line_style(WHITE)
        .y_desc("pipeline created")
        .label_style((FONT, 14))
        .draw()?;
    let bar = |week: u32, value: i64, left: f64, color: RGBColor| {
        let x = f64::from(week) + left;
        Rectangle::new([(x, 0.0), (x + 0.34, value as f64)], color.filled())
    };
    chart
        .draw_series(
            weeks
                .iter()
                .map(|(w, _, then)| bar(*w, *then, -0.36, ROLEPLAY)),
        )?
        .label("a year earlier")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], ROLEPLAY.filled()));
    chart
        .draw_series(weeks.iter().map(|(w, now, _)| bar(*w, *now, 0.02, LIVE)))?
        .label("since the kickoff")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], LIVE.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        (info.width, info.height, buf)
    }

    #[test]
    fn team_practice_draws_a_png_with_bars_and_text() {
        let weeks: Vec<WeekPractice> = (1..=4)
            .map(|week| WeekPractice {
                week,
                live: week as usize * 3,
                roleplay: 4,
                active: 1.0 - f64::from(week) * 0.1,
            })
            .collect();
        let bytes = png(&Chart::TeamPractice {
            title: "East: practice by week".into(),
            weeks,
        })
        .unwrap();
        let (w, h, pixels) = decoded(&bytes);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        let has = |c: RGBColor| pixels.chunks(3).any(|p| p == [c.0, c.1, c.2]);
        assert!(has(LIVE) && has(ROLEPLAY), "both kinds of bar are drawn");
        let dark = pixels
            .chunks(3)
            .filter(|p| p.iter().all(|v| *v < 60))
            .count();
        assert!(
            dark > 500,
            "text and axes are drawn in the built-in font: {dark}"
        );
    }

    #[test]
    fn adoption_and_an_empty_team_draw_too() {
        let adoption = Chart::Adoption {
            title: "Adoption by skill".into(),
            skills: vec!["Discovery".into(), "Objections".into()],
            checkpoints: vec![(30, vec![0.8, 0.5]), (60, vec![0.7, 0.3])],
        };
        assert_eq!(decoded(&png(&adoption).unwrap()).0, WIDTH);
        let empty = Chart::TeamPractice {
            title: "Nobody yet".into(),
            weeks: vec![],
        };
        assert_eq!(decoded(&png(&empty).unwrap()).1, HEIGHT);
    }

    #[test]
    fn the_pipeline_draws_both_years_as_png_and_as_svg() {
        let chart = Chart::Pipeline {
            title: "Pipeline created by week".into(),
            weeks: vec![(1, 120_000, 90_000), (2, 80_000, 100_000), (3, 0, 40_000)],
        };
        let (_, _, pixels) = decoded(&png(&chart).unwrap());
        let has = |c: RGBColor| pixels.chunks(3).any(|p| p == [c.0, c.1, c.2]);
        assert!(
            has(LIVE) && has(ROLEPLAY),
            "this year's and last year's bars"
        );
        let svg = svg(&chart).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(
            svg.contains("since the kickoff") && svg.contains("120,000"),
            "the legend and the amounts are text in the SVG"
        );
    }
}
