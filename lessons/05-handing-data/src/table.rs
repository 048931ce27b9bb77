//! The large result a worker hands over: a table of samples, as a worker
//! returns it after loading a big file.

use static_assertions::{assert_impl_all, assert_not_impl_any};
use std::ops::DerefMut;
use std::rc::Rc;
use std::sync::Arc;

/// Samples in one row of the table.
pub const ROW_LEN: usize = 1024;
/// One row's share of the table: 8 KiB.
pub const ROW_BYTES: usize = ROW_LEN * size_of::<f64>();

// ANCHOR: table
/// The large result: rows of samples, each row a `Vec` of its own. `Clone`
/// is a deep copy, Python's `deepcopy`: every row is copied into a new
/// buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    rows: Vec<Vec<f64>>,
}

// The table crosses threads by value (a move) and behind an `Arc`.
assert_impl_all!(Table: Send, Sync);
assert_impl_all!(Arc<Table>: Send, Sync);
// An `Arc` hands out `&Table` only, never `&mut Table`.
assert_not_impl_any!(Arc<Table>: DerefMut);
// An `Rc` cannot cross at all: its count is not atomic.
assert_not_impl_any!(Rc<Table>: Send, Sync);
// ANCHOR_END: table

impl Table {
    /// A table of about `bytes` bytes (whole rows, at least one).
    pub fn generate(bytes: usize) -> Self {
        let rows = bytes.div_ceil(ROW_BYTES).max(1);
        let row =
            |r: usize| (0..ROW_LEN).map(move |i| (r * ROW_LEN + i) as f64);
        Self { rows: (0..rows).map(|r| row(r).collect()).collect() }
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    pub fn bytes(&self) -> usize {
        self.rows.iter().map(|row| row.len() * size_of::<f64>()).sum()
    }

    /// Where the table's rows are listed. Two tables at one address are one
    /// table, not two copies.
    pub fn address(&self) -> usize {
        self.rows.as_ptr() as usize
    }

    /// Whether any row of `other` is stored in the same memory as the same
    /// row of `self`.
    pub fn shares_rows_with(&self, other: &Self) -> bool {
        let same = |(a, b): (&Vec<f64>, &Vec<f64>)| a.as_ptr() == b.as_ptr();
        self.rows.iter().zip(&other.rows).any(same)
    }

    /// Reads every sample: a worker's use of a table it was lent.
    pub fn sum(&self) -> f64 {
        self.rows.iter().flatten().sum()
    }
}
