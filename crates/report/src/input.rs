//! Clicks as a person makes them: from the moment the click exists (the X
//! server has it) to the moment its handler ran, and to the end of the first
//! frame painted after that: when the person could see the click's effect.

use crate::heartbeat::percentile;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How the autopilot's clicks travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputPath {
    /// Real X input (XTest): X server, then the toolkit's event queue, then the
    /// handler.
    Xtest,
    /// `gtk::Button::emit_clicked` from a main-loop source: where there is no X
    /// server to ask.
    Emit,
}

/// One click: how long after it was sent its handler ran, and its effect was
/// painted (`None`: no frame came, for instance because the window was hidden).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Click {
    pub to_handler: Duration,
    pub to_paint: Option<Duration>,
}

/// The median and the worst of a latency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub p50: f64,
    pub max: f64,
}

impl Latency {
    fn of(values: &[Duration]) -> Self {
        let ms: Vec<f64> = values.iter().map(|v| crate::ms(*v)).collect();
        Self {
            p50: percentile(&ms, 50.0),
            max: ms.iter().copied().fold(0.0, f64::max),
        }
    }
}

/// Every click of a run, summed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputStats {
    pub path: InputPath,
    pub clicks: usize,
    pub to_handler_ms: Latency,
    pub to_paint_ms: Latency,
}

impl InputStats {
    pub fn from_clicks(path: InputPath, clicks: &[Click]) -> Self {
        let to_handler: Vec<Duration> =
            clicks.iter().map(|c| c.to_handler).collect();
        let to_paint: Vec<Duration> =
            clicks.iter().filter_map(|c| c.to_paint).collect();
        Self {
            path,
            clicks: clicks.len(),
            to_handler_ms: Latency::of(&to_handler),
            to_paint_ms: Latency::of(&to_paint),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(handler: u64, paint: Option<u64>) -> Click {
        Click {
            to_handler: Duration::from_millis(handler),
            to_paint: paint.map(Duration::from_millis),
        }
    }

    #[test]
    fn sums_up_the_median_and_the_worst() {
        let clicks =
            [click(2, Some(10)), click(4, Some(20)), click(900, Some(930))];
        let stats = InputStats::from_clicks(InputPath::Xtest, &clicks);
        assert_eq!(stats.clicks, 3);
        assert_eq!(stats.to_handler_ms, Latency { p50: 4.0, max: 900.0 });
        assert_eq!(stats.to_paint_ms, Latency { p50: 20.0, max: 930.0 });
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(json["path"], "xtest");
    }

    #[test]
    fn a_click_whose_effect_was_never_painted_counts_for_the_handler_only() {
        let stats = InputStats::from_clicks(InputPath::Emit, &[click(3, None)]);
        assert_eq!(stats.to_handler_ms.max, 3.0);
        assert_eq!(stats.to_paint_ms, Latency { p50: 0.0, max: 0.0 });
    }
}
