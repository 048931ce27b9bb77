//! The thread-safety facts the book states, checked whenever the kit compiles: if a future gtk-rs
//! made a widget `Send`, this file would stop building and the book would have to change.

use static_assertions::assert_not_impl_any;

// ANCHOR: widgets_stay_home
assert_not_impl_any!(gtk::Widget: Send, Sync);
assert_not_impl_any!(gtk::Button: Send, Sync);
assert_not_impl_any!(gtk::Label: Send, Sync);
assert_not_impl_any!(gtk::ApplicationWindow: Send, Sync);
// The kit's own window wraps widgets, so it inherits their confinement.
assert_not_impl_any!(crate::LessonWindow: Send, Sync);
// ANCHOR_END: widgets_stay_home
