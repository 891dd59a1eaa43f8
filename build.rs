//! Embeds libtorch's folder as an RPATH so `target/release/framescore` runs with no environment
//! variables set. RPATH rather than RUNPATH (`--disable-new-dtags`), because it also applies to the
//! libraries libtorch itself loads.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
