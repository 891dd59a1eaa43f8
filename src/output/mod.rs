//! Stage group: results on disk. The CSV writer with its per-article, per-source and corpus
//! roll-ups ([`writer`]).
//!
//! May use: [`crate::doc`] only: it writes what the pipeline put in each [`crate::doc::Doc`].
pub mod writer;

pub use writer::*;
