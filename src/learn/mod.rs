//! Stage group: what only training and evaluation use. Labelled data and folds ([`data`]),
//! metrics and the threshold search ([`eval`]), fitting frame heads on a frozen encoder
//! ([`train`]), fine-tuning the encoder's top layers with several heads ([`tune`]), distilling a tuned set into
//! a shallower student ([`distill`]), the
//! tagger's training and scores ([`tagging`]), the stance head's data, training and scores
//! ([`stance`]), and the mention filter's ([`mentions`]).
//!
//! May use: [`crate::model`], [`crate::text`], [`crate::doc`]. Scoring never imports it.
pub mod data;
pub mod distill;
pub mod eval;
pub mod mentions;
pub mod stance;
pub mod tagging;
pub mod train;
pub mod tune;
