//! The chart of a lesson's median run: each gap between two heartbeat ticks and each interval
//! between two painted frames, over the measurement window, drawn by plotters as SVG. Its text is
//! `<text>` in `sans-serif` that the reader's browser renders, so no font is needed here.

use super::Measurement;
use super::data::{self, median_run};
use plotters::prelude::*;
use serde_json::Value;

const WIDTH: u32 = 800; // about the width of mdBook's text column
const HEIGHT: u32 = 520;
const HEADER: u32 = 96;
const FOOTER: u32 = 46;
const FONT: &str = "sans-serif";
/// plotters' palette blue and orange, dark enough on white.
const LINE: RGBColor = RGBColor(31, 119, 180);
const FRAMES: RGBColor = RGBColor(255, 127, 14);
/// A free window paints at 60 Hz: a shorter last interval is one cut short by the window's end.
const FRAME_MS: f64 = 1000.0 / 60.0;

/// What the chart is drawn from: the median run's timelines and the probe's interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `[offset_ms, gap_ms]`: the gap that ended `offset_ms` after the window's start.
    pub timeline: Vec<[f64; 2]>,
    /// `[offset_ms, interval_ms]` between painted frames, over the same window.
    pub frames: Vec<[f64; 2]>,
    pub interval_ms: f64,
    pub max_gap_ms: f64,
}

pub fn series(reports: &[Value]) -> Result<(usize, Series), String> {
    data::require(reports)?;
    let run = median_run(reports).ok_or("no run reports `/heartbeat/max_gap_ms`")?;
    let report = &reports[run];
    let timeline = |pointer: &str| {
        let points = report.pointer(pointer).and_then(Value::as_array);
        let points = points.ok_or_else(|| format!("run {} has no `{pointer}`", run + 1))?;
        let point = |point: &Value| match point.as_array()?.as_slice() {
            [offset, ms] => Some([offset.as_f64()?, ms.as_f64()?]),
            _ => None,
        };
        match points.iter().map(point).collect::<Option<Vec<_>>>() {
            Some(points) if !points.is_empty() => Ok(points),
            Some(_) => Err(format!("run {}: `{pointer}` is empty", run + 1)),
            None => Err(format!("run {}: a point of `{pointer}` is not [offset_ms, ms]", run + 1)),
        }
    };
    let interval_ms = data::number(report, "/heartbeat/interval_ms")
        .ok_or_else(|| format!("run {}: no number at `/heartbeat/interval_ms`", run + 1))?;
    let max_gap_ms = data::number(report, "/heartbeat/max_gap_ms").unwrap_or_default();
    let frames = drawn(timeline("/frames/timeline")?, FRAME_MS);
    let timeline = drawn(timeline("/heartbeat/timeline")?, interval_ms);
    Ok((run, Series { timeline, frames, interval_ms, max_gap_ms }))
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
    match package.strip_prefix("lesson-").and_then(|rest| rest.split_once('-')) {
        Some((number, name)) => format!("Lesson {number} ({})", name.replace('-', " ")),
        None => package.to_string(),
    }
}

/// A label: `1000`, `0.1`, `2.5`, without the zeros a fixed number of decimals leaves.
fn trimmed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The chart of `measurement`'s median run, as an SVG document.
pub fn heartbeat_svg(measurement: &Measurement) -> Result<String, String> {
    let (run, series) = series(&measurement.reports)?;
    let title =
        format!("{}: heartbeat gaps and frame intervals", lesson_title(&measurement.package));
    let meaning = [
        format!(
            "Lines near {} ms (heartbeat) and {FRAME_MS:.1} ms (frames) mean the loop was free \
             and the window painted.",
            trimmed(series.interval_ms, 3),
        ),
        "A plateau at N ms means that for N ms nothing ran, or nothing was painted.".to_string(),
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

        let both: Vec<[f64; 2]> = series.timeline.iter().chain(&series.frames).copied().collect();
        let end_s = both.iter().map(|[offset, _]| offset / 1000.0).fold(0.001, f64::max);
        let (low, high) = y_range(&both);
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .margin_right(20)
            .x_label_area_size(44)
            .y_label_area_size(76)
            .build_cartesian_2d(0f64..end_s, (low..high).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("time since the measurement window's start (s)")
            .y_desc("gap or interval (ms, log scale)")
            .x_label_formatter(&|s| trimmed(*s, 1))
            .y_label_formatter(&|ms| trimmed(*ms, 3))
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 17))
            .light_line_style(RGBColor(244, 244, 244))
            .draw()?;

        let (interval, grey) = (series.interval_ms, RGBColor(120, 120, 120).stroke_width(1));
        let dashes = DashedLineSeries::new([(0.0, interval), (end_s, interval)], 6, 5, grey);
        chart
            .draw_series(dashes)?
            .label(format!("the probe's interval: {} ms", trimmed(interval, 3)))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey));
        let lines = [
            (
                &series.timeline,
                LINE.stroke_width(2),
                "gap between two heartbeat ticks, over the time it lasted",
            ),
            (&series.frames, FRAMES.stroke_width(1), "interval between two painted frames"),
        ];
        for (timeline, style, label) in lines {
            let points = steps(timeline).into_iter().map(|(t, ms)| (t, ms.max(low)));
            chart
                .draw_series(LineSeries::new(points, style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        }
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
        json!({
            "heartbeat": {
                "interval_ms": 10.0, "max_gap_ms": max_gap, "p99_gap_ms": 10.0,
                "timeline": timeline
            },
            "frames": {
                "per_s": 50.0, "max_interval_ms": max_gap, "p99_interval_ms": 17.0,
                "timeline": [[16.0, 16.0], [max_gap + 16.0, max_gap], [max_gap + 17.0, 1.0]]
            },
            "input": {"to_paint_ms": {"p50": 9.0, "max": max_gap}},
        })
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
        assert_eq!(series.frames, [[16.0, 16.0], [36.0, 20.0]], "the same run's frames");
        assert_eq!((series.interval_ms, series.max_gap_ms), (10.0, 20.0));
    }

    #[test]
    fn a_run_without_a_usable_timeline_is_an_error() {
        assert!(series(&[json!({})]).unwrap_err().contains("max_gap_ms"));
        let mut old = report(1.0, json!([[1.0, 1.0]]));
        old.as_object_mut().unwrap().remove("frames");
        assert!(series(&[old]).unwrap_err().contains("has no `frames.per_s`"));
        assert!(series(&[report(1.0, json!([]))]).unwrap_err().contains("empty"));
        assert!(series(&[report(1.0, json!([[1.0]]))]).unwrap_err().contains("[offset_ms"));
        let mut no_frames = report(1.0, json!([[1.0, 1.0]]));
        no_frames["frames"]["timeline"] = json!("none");
        assert!(series(&[no_frames]).unwrap_err().contains("no `/frames/timeline`"));
    }

    #[test]
    fn titles_and_labels() {
        assert_eq!(lesson_title("lesson-01-blocking"), "Lesson 01 (blocking)");
        assert_eq!(
            lesson_title("lesson-02-main-context-iteration"),
            "Lesson 02 (main context iteration)"
        );
        assert_eq!(lesson_title("other"), "other");
        assert_eq!(trimmed(1000.0, 3), "1000");
        assert_eq!(trimmed(0.1, 3), "0.1");
        assert_eq!(trimmed(0.001, 3), "0.001");
        assert_eq!(trimmed(2.0, 1), "2");
        assert_eq!(trimmed(2.5, 1), "2.5");
        assert_eq!(trimmed(20.0, 1), "20");
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
        assert!(
            svg.contains("<title>Lesson 01 (blocking): heartbeat gaps and frame intervals</title>")
        );
        assert!(svg.contains("<desc>Lines near 10 ms (heartbeat) and 16.7 ms (frames) mean"));
        assert!(svg.contains("\ninterval between two painted frames\n"), "{svg}");
        assert!(
            svg.contains("on 2026-01-02 (Linux, 2 CPUs, rustc 1.95.0), with --work-ms 800.</desc>")
        );
        assert!(svg.contains("\n2026-01-02 (Linux, 2 CPUs, rustc 1.95.0), with --work-ms 800.\n"));
        assert!(svg.contains("\ntime since the measurement window&apos;s start (s)\n"), "{svg}");
        assert!(svg.contains("<polyline") || svg.contains("<path"), "{svg}");
    }
}
