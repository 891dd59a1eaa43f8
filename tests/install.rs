//! A relocatable install (issue 18): `scripts/install.sh` makes PREFIX/bin, PREFIX/lib/framescore
//! and PREFIX/share/framescore/models; moved to another folder, the program still finds its own
//! libtorch and models, with no environment variables.

mod common;

use std::process::Command;

use common::{root, stderr};

#[test]
fn an_install_runs_from_wherever_it_is_moved() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let o = Command::new(root().join("scripts/install.sh"))
        .args(["--fast-only", "--binary", env!("CARGO_BIN_EXE_framescore")])
        .arg(&first)
        .output()
        .unwrap();
    assert!(o.status.success(), "install.sh: {}", stderr(&o));
    let moved = dir.path().join("elsewhere/framescore");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&first, &moved).unwrap();
    let bin = moved.join("bin/framescore");

    // The dynamic loader resolves libtorch inside the moved install.
    let ldd = Command::new("ldd").arg(&bin).output().unwrap();
    let ldd = String::from_utf8_lossy(&ldd.stdout).into_owned();
    for name in ["libtorch_cpu.so", "libc10.so", "libcudart.so.12"] {
        let line = ldd
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{ldd}"));
        assert!(
            line.contains(moved.to_str().unwrap()) && line.contains("lib/framescore/"),
            "{name} from the install: {line}"
        );
    }

    let out = dir.path().join("out");
    let seed = root().join("datasets/articles/mondo-2024-01-28-nasa-china-lunar-samples.txt");
    let o = Command::new(&bin)
        .arg("score")
        .arg(&seed)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let models = moved
        .join("share/framescore/models")
        .canonicalize()
        .unwrap();
    for key in ["frame_model", "bias_model", "tagger", "encoder"] {
        let path = run[key].as_str().unwrap();
        assert!(path.starts_with(models.to_str().unwrap()), "{key}: {path}");
    }
    assert!(out.join("report.html").exists());
}
