//! The live graph under the counter: the last five seconds of frame intervals
//! (blue) and heartbeat gaps (orange), on a logarithmic scale with a line at
//! one frame (16.7 ms). Each interval is a step as wide as it lasted and as
//! high as it was long, so a freeze shows as a wide, tall block. Its tick
//! callback keeps the frame clock running every frame, so a free window
//! completes about 60 frame cycles a second and the frame probe sees every one;
//! the graph itself is redrawn five times a second.

use crate::frames::FrameProbe;
use crate::heartbeat::HeartbeatProbe;
use crate::log::RECENT;
use gtk::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

const HEIGHT: i32 = 56;
const REDRAW: Duration = Duration::from_millis(200);
/// The scale's ends, in milliseconds.
const LOWEST_MS: f64 = 4.0;
const HIGHEST_MS: f64 = 5000.0;
const ONE_FRAME_MS: f64 = 1000.0 / 60.0;
const FRAMES: (f64, f64, f64) = (0.20, 0.45, 0.85);
const HEARTBEAT: (f64, f64, f64) = (0.95, 0.55, 0.10);

pub(crate) fn new(
    heartbeat: Rc<HeartbeatProbe>,
    frames: FrameProbe,
) -> gtk::DrawingArea {
    let area = gtk::DrawingArea::builder()
        .content_height(HEIGHT)
        .hexpand(true)
        .build();
    area.set_tooltip_text(Some(
        "The last 5 s: intervals between painted frames (blue) and between heartbeat \
         ticks (orange). The line is one frame, 16.7 ms; a freeze is a tall, wide block.",
    ));
    area.set_draw_func(move |_, cr, width, height| {
        let now = Instant::now();
        let plot =
            Plot { now, width: f64::from(width), height: f64::from(height) };
        plot.background(cr);
        plot.steps(cr, &heartbeat.recent_gaps(now), HEARTBEAT);
        plot.steps(cr, &frames.recent_intervals(now), FRAMES);
    });
    // The frame clock runs every frame, so that the frame probe sees each
    // cycle in which GTK could paint: a cycle that paints nothing costs
    // little. The graph itself is redrawn five times a second.
    let drawn = Cell::new(Instant::now());
    area.add_tick_callback(move |area, _| {
        if drawn.get().elapsed() >= REDRAW {
            drawn.set(Instant::now());
            area.queue_draw();
        }
        glib::ControlFlow::Continue
    });
    area
}

struct Plot {
    now: Instant,
    width: f64,
    height: f64,
}

impl Plot {
    fn x(&self, at: Instant) -> f64 {
        let age = self.now.saturating_duration_since(at).as_secs_f64();
        self.width * (1.0 - age / RECENT.as_secs_f64())
    }

    fn y(&self, interval: Duration) -> f64 {
        let ms = (interval.as_secs_f64() * 1000.0).clamp(LOWEST_MS, HIGHEST_MS);
        let share = (ms / LOWEST_MS).ln() / (HIGHEST_MS / LOWEST_MS).ln();
        self.height * (1.0 - share)
    }

    fn background(&self, cr: &gtk::cairo::Context) {
        cr.set_source_rgba(0.5, 0.5, 0.5, 0.12);
        cr.rectangle(0.0, 0.0, self.width, self.height);
        let _ = cr.fill();
        let frame = self.y(Duration::from_secs_f64(ONE_FRAME_MS / 1000.0));
        cr.set_source_rgba(0.3, 0.3, 0.3, 0.6);
        cr.set_line_width(1.0);
        cr.set_dash(&[3.0, 3.0], 0.0);
        cr.move_to(0.0, frame);
        cr.line_to(self.width, frame);
        let _ = cr.stroke();
        cr.set_dash(&[], 0.0);
    }

    fn steps(
        &self,
        cr: &gtk::cairo::Context,
        intervals: &[(Instant, Duration)],
        rgb: (f64, f64, f64),
    ) {
        cr.set_source_rgba(rgb.0, rgb.1, rgb.2, 0.55);
        for (end, length) in intervals {
            let start = end.checked_sub(*length).unwrap_or(*end);
            let (left, right) = (self.x(start).max(0.0), self.x(*end));
            let top = self.y(*length);
            cr.rectangle(left, top, (right - left).max(1.0), self.height - top);
        }
        let _ = cr.fill();
    }
}
