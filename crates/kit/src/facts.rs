//! The thread-safety facts the book states, checked whenever the kit compiles:
//! if a future gtk-rs made a widget `Send`, this file would stop building and
//! the book would have to change.

use glib::thread_guard::ThreadGuard;
use static_assertions::{assert_impl_all, assert_not_impl_any};

// ANCHOR: widgets_stay_home
assert_not_impl_any!(gtk::Widget: Send, Sync);
assert_not_impl_any!(gtk::Button: Send, Sync);
assert_not_impl_any!(gtk::Label: Send, Sync);
assert_not_impl_any!(gtk::ApplicationWindow: Send, Sync);
// The kit's own window wraps widgets, so it inherits their confinement.
assert_not_impl_any!(crate::LessonWindow: Send, Sync);
// ANCHOR_END: widgets_stay_home

// ANCHOR: handles_stay_home
// A weak reference is as confined as the object it points to.
assert_not_impl_any!(glib::WeakRef<gtk::Widget>: Send, Sync);
// So is a plain GObject: gtk-rs marks every type it cannot vouch for as not
// thread-safe.
assert_not_impl_any!(glib::Object: Send, Sync);
// A channel can carry plain data between threads, but not widgets.
assert_impl_all!(async_channel::Sender<String>: Send, Sync);
assert_not_impl_any!(async_channel::Sender<gtk::Label>: Send, Sync);
// ANCHOR_END: handles_stay_home

// ANCHOR: checked_at_run_time
// These two cross threads whatever they hold, and check the thread when they
// are used instead.
assert_impl_all!(ThreadGuard<gtk::Label>: Send, Sync);
assert_impl_all!(glib::SendWeakRef<gtk::Label>: Send, Sync);
// ANCHOR_END: checked_at_run_time

// ANCHOR: plain_rust
assert_impl_all!(std::sync::Arc<std::sync::Mutex<Vec<u8>>>: Send, Sync);
assert_not_impl_any!(std::rc::Rc<u8>: Send, Sync);
// Arc shares its contents between threads, so it is Send only if they are Sync:
// a RefCell is not.
assert_not_impl_any!(std::sync::Arc<std::cell::RefCell<Vec<u8>>>: Send, Sync);
assert_impl_all!(std::cell::RefCell<Vec<u8>>: Send);
// ANCHOR_END: plain_rust
