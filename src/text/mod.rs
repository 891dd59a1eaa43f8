//! Stage group: text analysis that needs no model. Sentence splitting with offsets
//! ([`segment`]), word boundaries ([`words`]), the outlet's own voice versus quoted or attributed
//! material ([`quotes`]) and the loaded-term lexicon ([`lexicon`]).
//!
//! May use: [`crate::doc`] only. Everything here is pure and fast, so it is fuzzable and unit
//! tested without libtorch.
pub mod lexicon;
pub mod quotes;
pub mod segment;
pub mod words;
