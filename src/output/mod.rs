//! Stage group: results on disk. The CSV writer with its per-article, per-source and corpus
//! roll-ups ([`writer`]), the run record `run.json` that says how they were made ([`run`]), and
//! the lock that keeps two runs out of one folder ([`lock`]), and the merge of results folders
//! scored separately ([`merge`]).
//!
//! May use: [`crate::doc`] only: it writes what the pipeline put in each [`crate::doc::Doc`].
pub mod lock;
pub mod merge;
pub mod run;
pub mod writer;

pub use lock::{OutLock, LOCK};
pub use run::{RunInfo, Threshold, RUN};
pub use writer::*;
