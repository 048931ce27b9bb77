//! The heartbeat chart of a lesson: how long each gap between two ticks of the probe lasted,
//! over the measurement window, for the median run. Drawn with plotters' SVG backend.
//!
//! Text is written as SVG `<text>` in the generic `sans-serif` family and rendered by whatever
//! shows the SVG (the reader's browser), so no font is needed here; plotters estimates text
//! widths for its layout without font metrics, which only the legend box depends on.

use super::Measurement;
use super::data::{self, median_run};
use plotters::prelude::*;
use serde_json::Value;

/// About the width of mdBook's text column, so the chart is shown at its own size.
const WIDTH: u32 = 800;
const HEIGHT: u32 = 520;
const HEADER: u32 = 96;
const FOOTER: u32 = 46;
const FONT: &str = "sans-serif";
/// The gap line's colour: plotters' palette blue, dark enough on white.
const LINE: RGBColor = RGBColor(31, 119, 180);

/// What the chart is drawn from: the median run's timeline and the probe's interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `[offset_ms, gap_ms]`: the gap that ended `offset_ms` after the window's start.
    pub timeline: Vec<[f64; 2]>,
    pub interval_ms: f64,
    pub max_gap_ms: f64,
}

/// The median run's series, or why there is none.
pub fn series(reports: &[Value]) -> Result<(usize, Series), String> {
    let run = median_run(reports).ok_or("no run reports `/heartbeat/max_gap_ms`")?;
    let heartbeat = &reports[run]["heartbeat"];
    let timeline: Vec<[f64; 2]> = heartbeat["timeline"]
        .as_array()
        .ok_or_else(|| format!("run {} has no `/heartbeat/timeline`", run + 1))?
        .iter()
        .map(|point| match point.as_array().map(Vec::as_slice) {
            Some([offset, gap]) => Some([offset.as_f64()?, gap.as_f64()?]),
            _ => None,
        })
        .collect::<Option<_>>()
        .ok_or_else(|| format!("run {}: a timeline point is not [offset_ms, gap_ms]", run + 1))?;
    if timeline.is_empty() {
        return Err(format!("run {}: the timeline is empty", run + 1));
    }
    let number = |pointer: &str| {
        data::number(&reports[run], pointer)
            .ok_or_else(|| format!("run {}: no number at `{pointer}`", run + 1))
    };
    let interval_ms = number("/heartbeat/interval_ms")?;
    let max_gap_ms = number("/heartbeat/max_gap_ms")?;
    let timeline = drawn(timeline, interval_ms);
    Ok((run, Series { timeline, interval_ms, max_gap_ms }))
}

/// The timeline without its last entry when that one is no stall. The last entry runs from the
/// last tick to the window's end, which is not a tick: shorter than the interval, it is a
/// normal interval cut short (often a fraction of a millisecond, which would stretch the log
/// axis for nothing); as long as the interval or longer, it is a stall still open at the end,
/// and it stays.
pub fn drawn(mut timeline: Vec<[f64; 2]>, interval_ms: f64) -> Vec<[f64; 2]> {
    if timeline.len() > 1 && timeline.last().is_some_and(|[_, gap]| *gap < interval_ms) {
        timeline.pop();
    }
    timeline
}

/// The timeline as a step line, in seconds: each gap is a horizontal stretch from the tick that
/// opened it to the tick that closed it, at the height of its length. A five-second stall reads
/// as a five-second plateau at 5000 ms, not as one lonely point.
pub fn steps(timeline: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(timeline.len() * 2);
    let mut start = 0.0;
    for &[offset, gap] in timeline {
        points.push((start / 1000.0, gap));
        points.push((offset / 1000.0, gap));
        start = offset;
    }
    points
}

/// The y axis, in ms: 1 ms to 10 s by default, so the charts of all lessons compare at a
/// glance, widened by whole decades if a gap falls outside.
pub fn y_range(timeline: &[[f64; 2]]) -> (f64, f64) {
    let gaps = timeline.iter().map(|[_, gap]| *gap);
    let smallest = gaps.clone().filter(|gap| *gap > 0.0).fold(f64::INFINITY, f64::min);
    let largest = gaps.fold(0.0, f64::max);
    let decade_below = |v: f64| 10f64.powf(v.log10().floor());
    let decade_above = |v: f64| 10f64.powf(v.log10().ceil());
    let low = if smallest < 1.0 { decade_below(smallest).max(0.001) } else { 1.0 };
    let high = if largest > 10_000.0 { decade_above(largest * 1.05) } else { 10_000.0 };
    (low, high)
}

/// `Lesson 01 (blocking)` for `lesson-01-blocking`; other names as they are.
pub fn lesson_title(package: &str) -> String {
    let Some((number, name)) = package.strip_prefix("lesson-").and_then(|r| r.split_once('-'))
    else {
        return package.to_string();
    };
    format!("Lesson {number} ({})", name.replace('-', " "))
}

/// A tick label: `1`, `10`, `1000`, `0.1`.
fn format_ms(value: f64) -> String {
    if value >= 1.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn format_seconds(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

/// The chart of `measurement`'s median run, as an SVG document.
pub fn heartbeat_svg(measurement: &Measurement) -> Result<String, String> {
    let (run, series) = series(&measurement.reports)?;
    let title = format!("{}: gaps between heartbeat ticks", lesson_title(&measurement.package));
    let meaning = [
        format!(
            "A flat line near {0} ms means the main loop was free: the probe's {0} ms timer ran on \
             time.",
            format_ms(series.interval_ms)
        ),
        "A plateau at N ms means that for N ms nothing ran: no redraw, no click, no timer."
            .to_string(),
    ];
    let provenance = [
        format!(
            "The median run by max gap ({:.1} ms; run {} of {}), measured by cargo xtask measure \
             on",
            series.max_gap_ms,
            run + 1,
            measurement.reports.len(),
        ),
        format!("{}.", measurement.machine().replace('`', "")),
    ];
    let svg = draw(&series, &title, &meaning, &provenance).map_err(|e| e.to_string())?;
    let description = format!("{} {}", meaning.join(" "), provenance.join(" "));
    Ok(with_description(&svg, &title, &description))
}

fn draw(
    series: &Series,
    title: &str,
    meaning: &[String; 2],
    provenance: &[String; 2],
) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, rest) = root.split_vertically(HEADER);
        let (plot, footer) = rest.split_vertically(HEIGHT - HEADER - FOOTER);

        // Sizes are in plotters' units: the SVG's font-size is 1/1.24 of them.
        let bold = (FONT, 26).into_font().style(FontStyle::Bold);
        header.draw(&Text::new(title.to_string(), (12, 12), bold))?;
        for (line, y) in meaning.iter().zip([48, 70]) {
            header.draw(&Text::new(line.clone(), (12, y), (FONT, 19).into_font()))?;
        }
        let small = (FONT, 17).into_font().color(&RGBColor(90, 90, 90));
        for (line, y) in provenance.iter().zip([6, 25]) {
            footer.draw(&Text::new(line.clone(), (12, y), small.clone()))?;
        }

        let end_s = series.timeline.last().map_or(1.0, |[offset, _]| offset / 1000.0);
        let (low, high) = y_range(&series.timeline);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(8)
            .margin_right(20)
            .margin_top(8)
            .x_label_area_size(44)
            .y_label_area_size(76)
            .build_cartesian_2d(0f64..end_s, (low..high).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("time since the measurement window's start (s)")
            .y_desc("gap between ticks (ms, log scale)")
            .x_label_formatter(&|s| format_seconds(*s))
            .y_label_formatter(&|ms| format_ms(*ms))
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 17))
            .light_line_style(RGBColor(244, 244, 244))
            .draw()?;

        let interval = series.interval_ms;
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, interval), (end_s, interval)],
                6,
                5,
                RGBColor(120, 120, 120).stroke_width(1),
            ))?
            .label(format!("the probe's interval: {} ms", format_ms(interval)))
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], RGBColor(120, 120, 120).stroke_width(1))
            });
        let clamp = |(t, gap): (f64, f64)| (t, gap.max(low));
        chart
            .draw_series(LineSeries::new(
                steps(&series.timeline).into_iter().map(clamp),
                LINE.stroke_width(2),
            ))?
            .label("gap between two ticks, over the time it lasted")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], LINE.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, 16))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

/// `svg` with a `<title>` and `<desc>` as the root's first children, for screen readers and for
/// whoever opens the file on its own.
pub fn with_description(svg: &str, title: &str, description: &str) -> String {
    let Some(open) = svg.find("<svg") else { return svg.to_string() };
    let Some(end) = svg[open..].find('>').map(|i| open + i + 1) else { return svg.to_string() };
    format!(
        "{}\n<title>{}</title>\n<desc>{}</desc>{}",
        &svg[..end],
        escape(title),
        escape(description),
        &svg[end..]
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(max_gap: f64, timeline: Value) -> Value {
        json!({"heartbeat": {"interval_ms": 10.0, "max_gap_ms": max_gap, "timeline": timeline}})
    }

    #[test]
    fn steps_span_each_gap_from_the_tick_that_opened_it() {
        let timeline = [[5000.0, 5000.0], [5010.0, 10.0], [5015.0, 5.0]];
        assert_eq!(
            steps(&timeline),
            [(0.0, 5000.0), (5.0, 5000.0), (5.0, 10.0), (5.01, 10.0), (5.01, 5.0), (5.015, 5.0)]
        );
        assert!(steps(&[]).is_empty());
    }

    #[test]
    fn the_window_end_is_drawn_only_if_a_stall_is_still_open_there() {
        let ends_early = vec![[10.0, 10.0], [20.0, 10.0], [20.04, 0.04]];
        assert_eq!(drawn(ends_early, 10.0), [[10.0, 10.0], [20.0, 10.0]]);
        let ends_stalled = vec![[10.0, 10.0], [2010.0, 2000.0]];
        assert_eq!(drawn(ends_stalled.clone(), 10.0), ends_stalled);
        // A window without ticks is one gap, short or not.
        assert_eq!(drawn(vec![[5.0, 5.0]], 10.0), [[5.0, 5.0]]);
    }

    #[test]
    fn the_y_axis_spans_whole_decades_from_1_ms_to_10_s_at_least() {
        assert_eq!(y_range(&[[1.0, 10.0], [2.0, 5000.0]]), (1.0, 10_000.0));
        assert_eq!(y_range(&[[1.0, 0.25], [2.0, 12.0]]), (0.1, 10_000.0));
        assert_eq!(y_range(&[[1.0, 0.0], [2.0, 12.0]]), (1.0, 10_000.0));
        assert_eq!(y_range(&[[1.0, 12.0], [2.0, 25_000.0]]), (1.0, 100_000.0));
    }

    #[test]
    fn the_series_is_the_median_runs() {
        let reports = [
            report(30.0, json!([[30.0, 30.0]])),
            report(10.0, json!([[10.0, 10.0]])),
            report(20.0, json!([[20.0, 20.0], [30.0, 10.0], [31.0, 1.0]])),
        ];
        let (run, series) = series(&reports).unwrap();
        assert_eq!(run, 2);
        assert_eq!(series.timeline, [[20.0, 20.0], [30.0, 10.0]], "without the window's end");
        assert_eq!((series.interval_ms, series.max_gap_ms), (10.0, 20.0));
    }

    #[test]
    fn a_run_without_a_usable_timeline_is_an_error() {
        assert!(series(&[json!({})]).unwrap_err().contains("max_gap_ms"));
        let no_timeline = json!({"heartbeat": {"interval_ms": 10.0, "max_gap_ms": 1.0}});
        assert!(series(&[no_timeline]).unwrap_err().contains("timeline"));
        assert!(series(&[report(1.0, json!([]))]).unwrap_err().contains("empty"));
        assert!(series(&[report(1.0, json!([[1.0]]))]).unwrap_err().contains("[offset_ms"));
    }

    #[test]
    fn titles_and_labels() {
        assert_eq!(lesson_title("lesson-01-blocking"), "Lesson 01 (blocking)");
        assert_eq!(
            lesson_title("lesson-02-main-context-iteration"),
            "Lesson 02 (main context iteration)"
        );
        assert_eq!(lesson_title("other"), "other");
        assert_eq!(format_ms(1000.0), "1000");
        assert_eq!(format_ms(0.1), "0.1");
        assert_eq!(format_ms(0.001), "0.001");
        assert_eq!(format_seconds(2.0), "2");
        assert_eq!(format_seconds(2.5), "2.5");
    }

    #[test]
    fn the_description_goes_inside_the_root_element() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"1\" height=\"1\">\n<rect/>\n</svg>\n";
        assert_eq!(
            with_description(svg, "A & B", "<x>"),
            "<?xml version=\"1.0\"?>\n<svg width=\"1\" height=\"1\">\n<title>A &amp; B</title>\n\
             <desc>&lt;x&gt;</desc>\n<rect/>\n</svg>\n"
        );
    }

    #[test]
    fn draws_an_svg_with_title_text_and_provenance() {
        let generated = json!({"date_utc": "2026-01-02", "host": "Linux", "cpus": 2,
                               "rustc": "rustc 1.95.0", "work_ms": 800});
        let reports = vec![report(800.0, json!([[800.0, 800.0], [810.0, 10.0], [815.0, 5.0]]))];
        let measurement = Measurement { package: "lesson-01-blocking".into(), generated, reports };
        let svg = heartbeat_svg(&measurement).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("<title>Lesson 01 (blocking): gaps between heartbeat ticks</title>"));
        assert!(svg.contains("<desc>A flat line near 10 ms means the main loop was free"));
        assert!(
            svg.contains("on 2026-01-02 (Linux, 2 CPUs, rustc 1.95.0), with --work-ms 800.</desc>")
        );
        assert!(svg.contains("\n2026-01-02 (Linux, 2 CPUs, rustc 1.95.0), with --work-ms 800.\n"));
        assert!(svg.contains("\ntime since the measurement window&apos;s start (s)\n"), "{svg}");
        assert!(svg.contains("<polyline") || svg.contains("<path"), "{svg}");
    }
}
