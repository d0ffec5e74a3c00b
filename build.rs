//! Put libtorch's lib directory on the run path of every binary and test, so nothing needs
//! LD_LIBRARY_PATH. A binary shipped elsewhere also looks in `$ORIGIN/../libtorch/lib` and
//! `$ORIGIN/libtorch/lib` (see README, "Running on a cluster").
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(dir) = std::env::var("LIBTORCH") {
        let lib = std::path::Path::new(&dir).join("lib");
        let lib = lib.canonicalize().unwrap_or(lib);
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/libtorch/lib");
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/../libtorch/lib");
}
