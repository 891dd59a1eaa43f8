//! Stage group: inference. The lean transformer forward on libtorch ([`bert`]), the sentence
//! encoder that batches it and hands token states to token heads ([`encode`]), the sentence heads
//! for frames and bias ([`frames`]), the loaded-term tagger ([`tagger`]), the stance towards actor
//! mentions ([`stance`]) and the filter that drops gazetteer mentions which name no actor
//! ([`mentions`]), occlusion explanations ([`explain`]), codebooks ([`codebook`]), the int8
//! path's stored activation ranges ([`int8_ranges`]) and model folders on disk ([`modelfile`]).
//!
//! May use: [`crate::doc`] and [`crate::text`] (word boundaries). Never training code: what only
//! fitting and evaluation need lives in [`crate::learn`].
pub mod bert;
pub mod codebook;
pub mod encode;
pub mod explain;
pub mod frames;
pub mod int8_ranges;
pub mod mentions;
pub mod modelfile;
pub mod stance;
pub mod tagger;
