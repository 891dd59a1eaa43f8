//! The report's charts, drawn as SVG by plotters (its SVG backend: no fonts, browser or script
//! needed to see them, so they show with JavaScript off and in any viewer).
//!
//! Colours are the Okabe-Ito palette, distinguishable with the common colour-vision
//! deficiencies; every chart also has its legend in words (in the page) and a table of the
//! numbers behind it, so colour is never the only carrier of meaning.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

/// Okabe-Ito: vermillion, bluish green, blue, orange, reddish purple, sky blue, yellow, black.
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0xD5, 0x5E, 0x00),
    (0x00, 0x9E, 0x73),
    (0x00, 0x72, 0xB2),
    (0xE6, 0x9F, 0x00),
    (0xCC, 0x79, 0xA7),
    (0x56, 0xB4, 0xE9),
    (0xF0, 0xE4, 0x42),
    (0x00, 0x00, 0x00),
];

/// Bars resting on fewer sentences than this are drawn pale (and the caption says so).
pub const FEW_SENTENCES: usize = 30;

/// The colour of series `i` as `#rrggbb`.
pub fn hex(i: usize) -> String {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02X}{g:02X}{b:02X}")
}

fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// One group of bars: its label on the axis, its values (one per series) and whether it rests
/// on few observations (drawn pale).
pub struct Group {
    /// Shortened on the axis when long (the tables keep it whole).
    pub label: String,
    /// Appended to the label, never shortened (`(n = 12)`).
    pub note: String,
    pub values: Vec<f64>,
    pub few: bool,
}

const WIDTH: u32 = 1000;
const LABEL_AREA: u32 = 340;
const BAR_PX: u32 = 11;

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw a chart: {e:?}")
}

/// Shortens `s` to `n` characters with an ellipsis (axis labels only; tables keep full names).
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

/// An upper end for an axis holding `max`: the next tenth (at least 0.1), or the next "nice"
/// step above it for values over 1.
fn axis_end(max: f64, unit_interval: bool) -> f64 {
    if unit_interval {
        ((max * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
    } else {
        let max = max.max(1.0);
        let step = 10f64.powf(max.log10().floor()) / 2.0;
        ((max / step).ceil() * step).max(step)
    }
}

/// Horizontal grouped bars: one group per row (top to bottom in the given order), one bar per
/// series inside it, in series order (series `i` drawn in [`hex`]`(i)`).
pub fn grouped_bars(
    groups: &[Group],
    series: usize,
    x_desc: &str,
    unit_interval: bool,
) -> Result<String> {
    let n = groups.len().max(1);
    let group_px = series as u32 * BAR_PX + 12;
    let height = 60 + n as u32 * group_px;
    let max = groups
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .fold(0.0, f64::max);
    let x_end = axis_end(max, unit_interval);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        // Row i occupies y in (n - i - 1, n - i) * ROW: the first row at the top. Integer
        // coordinates, because plotters formats key points only on integer axes.
        const ROW: i32 = 1000;
        let top = n as i32 * ROW;
        let centres: Vec<i32> = (0..n as i32).map(|i| top - i * ROW - ROW / 2).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(36)
            .x_label_area_size(40)
            .y_label_area_size(LABEL_AREA)
            .build_cartesian_2d(0f64..x_end, (0..top).with_key_points(centres))
            .map_err(err)?;
        let label_of = |y: &i32| {
            let i = (top - y - ROW / 2) / ROW;
            usize::try_from(i)
                .ok()
                .and_then(|i| groups.get(i))
                .map_or_else(String::new, |g| {
                    format!("{}{}", short(&g.label, 40), g.note)
                })
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
            .x_desc(x_desc)
            .y_label_formatter(&label_of)
            .x_label_formatter(&|x| {
                if unit_interval {
                    format!("{:.0}%", x * 100.0)
                } else {
                    format!("{x}")
                }
            })
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(err)?;
        let slot = ROW * 8 / 10 / series.max(1) as i32;
        for (i, g) in groups.iter().enumerate() {
            let first = top - i as i32 * ROW - ROW / 10;
            chart
                .draw_series(g.values.iter().enumerate().map(|(j, &v)| {
                    let c = colour(j);
                    let style = if g.few {
                        c.mix(0.35).filled()
                    } else {
                        c.filled()
                    };
                    let y0 = first - slot * j as i32;
                    Rectangle::new([(0.0, y0), (v.max(0.0), y0 - slot * 9 / 10)], style)
                }))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Months since year 0 of a `YYYY-MM` tick.
fn month_number(tick: &str) -> Option<i32> {
    let (y, m) = tick.split_once('-')?;
    Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()? - 1)
}

/// One line per series over `months` (`YYYY-MM`, ascending), placed on a time axis so that gaps
/// between months with articles show as gaps; values in 0..=1.
pub fn lines(months: &[String], series: &[Vec<f64>], y_desc: &str) -> Result<String> {
    let xs: Vec<i32> = months
        .iter()
        .map(|m| month_number(m).ok_or_else(|| anyhow!("not a month: {m}")))
        .collect::<Result<_>>()?;
    let (first, last) = (
        xs.first().copied().unwrap_or(0),
        xs.last().copied().unwrap_or(1),
    );
    let last = last.max(first + 1);
    let max = series.iter().flatten().copied().fold(0.0, f64::max);
    let y_end = axis_end(max, true);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .margin_right(40)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(first..last, 0f64..y_end)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .x_label_formatter(&|m| format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .y_desc(y_desc)
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(err)?;
        for (j, values) in series.iter().enumerate() {
            let c = colour(j);
            let points: Vec<(i32, f64)> = xs.iter().copied().zip(values.iter().copied()).collect();
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
                .map_err(err)?;
            chart
                .draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fills(svg: &str, i: usize) -> usize {
        svg.matches(&format!("fill=\"{}\"", hex(i))).count()
    }

    #[test]
    fn one_bar_per_group_and_series() {
        let groups: Vec<Group> = (0..5)
            .map(|i| Group {
                label: format!("Source {i}"),
                note: format!(" (n = {i})"),
                values: vec![0.1 * i as f64, 0.5, 0.0],
                few: i == 4,
            })
            .collect();
        let svg = grouped_bars(&groups, 3, "share of sentences", true).unwrap();
        assert!(svg.starts_with("<svg"));
        for j in 0..3 {
            assert_eq!(fills(&svg, j), 5, "series {j}: one bar per source");
        }
        assert!(svg.contains("Source 3 (n = 3)"));
        assert!(
            svg.contains("opacity=\"0.35\""),
            "few-sentence bars are pale"
        );
    }

    #[test]
    fn labels_are_escaped_in_the_svg() {
        let groups = vec![Group {
            label: "<script>alert(1)</script>".into(),
            note: String::new(),
            values: vec![0.2],
            few: false,
        }];
        let svg = grouped_bars(&groups, 1, "x", true).unwrap();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn lines_draw_one_path_per_series() {
        let ticks: Vec<String> = ["2023-11", "2024-01", "2024-02"].map(String::from).to_vec();
        let svg = lines(&ticks, &[vec![0.1, 0.2, 0.3], vec![0.0, 0.5, 0.1]], "share").unwrap();
        for j in 0..2 {
            let stroke = format!("stroke=\"{}\"", hex(j));
            let lines = svg
                .lines()
                .filter(|l| l.starts_with("<polyline") && l.contains(&stroke))
                .count();
            assert_eq!(lines, 1, "series {j}: one line");
        }
        assert!(svg.contains("2024-01"));
        assert_eq!(month_number("2024-01"), Some(2024 * 12));
    }

    #[test]
    fn axis_ends_are_round() {
        assert_eq!(axis_end(0.43, true), 0.5);
        assert_eq!(axis_end(0.0, true), 0.1);
        assert_eq!(axis_end(1.0, true), 1.0);
        assert_eq!(axis_end(7.3, false), 7.5);
        assert_eq!(axis_end(42.0, false), 45.0);
    }
}
