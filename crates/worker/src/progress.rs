//! Coalesced progress. A job may report progress a million times a second; the
//! main loop only needs the latest value, once per look. The job writes the
//! latest value into a slot and sends a notification only when none is already
//! waiting, so the channel never holds more than one.

use crate::events::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

#[derive(Default)]
pub struct ProgressSlot {
    latest: Mutex<Option<Progress>>,
    notified: AtomicBool,
}

impl ProgressSlot {
    /// Stores `progress`; returns true when the caller must notify the
    /// receiving side.
    pub fn publish(&self, progress: Progress) -> bool {
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(progress);
        !self.notified.swap(true, Ordering::AcqRel)
    }

    /// Takes the latest value on the receiving side, after a notification
    /// arrived.
    pub fn take(&self) -> Option<Progress> {
        // Clear the flag before taking: a value published after this point
        // sends a new notification, so the last value is never stranded in the
        // slot.
        self.notified.store(false, Ordering::Release);
        self.latest.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(fraction: f64) -> Progress {
        Progress { fraction, message: None }
    }

    #[test]
    fn only_the_first_of_many_values_notifies_and_the_last_one_wins() {
        let slot = ProgressSlot::default();
        assert!(slot.publish(at(0.1)));
        assert!(!slot.publish(at(0.2)));
        assert!(!slot.publish(at(0.3)));
        assert_eq!(slot.take(), Some(at(0.3)));
        assert_eq!(slot.take(), None);
    }

    #[test]
    fn a_value_published_after_a_take_notifies_again() {
        let slot = ProgressSlot::default();
        assert!(slot.publish(at(0.1)));
        assert_eq!(slot.take(), Some(at(0.1)));
        assert!(slot.publish(at(0.2)));
        assert_eq!(slot.take(), Some(at(0.2)));
    }
}
