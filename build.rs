//! Embeds where libtorch is as an RPATH so the binary runs with no environment variables set:
//! first `$ORIGIN/../lib/framescore` (an install made by `scripts/install.sh`, wherever it is
//! copied), then the build's own libtorch folder (`target/release/framescore` in the checkout).
//! RPATH rather than RUNPATH (`--disable-new-dtags`), because it also applies to the libraries
//! libtorch itself loads.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags");
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/../lib/framescore");
    if let Ok(dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
