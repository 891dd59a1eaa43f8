//! Stage group: text analysis that needs no model. Sentence splitting with offsets
//! ([`segment`]), word boundaries ([`words`]), the outlet's own voice versus quoted or attributed
//! material ([`quotes`]), the loaded-term lexicon ([`lexicon`]) and the actor gazetteer
//! ([`actors`]).
//!
//! May use: [`crate::doc`] only. Everything here is pure and fast, so it is fuzzable and unit
//! tested without libtorch.
pub mod actors;
pub mod lexicon;
pub mod quotes;
pub mod segment;
pub mod words;
