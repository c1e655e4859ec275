//! Stack frames: the program built optimised with `-Z emit-stack-sizes` (under RUSTC_BOOTSTRAP=1, in the
//! benchmark's own target dir, never in the README's commands), read with `llvm-readobj --stack-sizes`. These
//! are x86-64 frames, a proxy for SBF's 4,096-byte frame limit, not the real figure.
use anyhow::{bail, Context, Result};
use std::{path::Path, process::Command};

/// SBF's stack frame limit per function, bytes.
pub const SBF_FRAME_BYTES: u64 = 4_096;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Frame {
    pub function: String,
    pub bytes: u64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Stack {
    /// The largest frames, biggest first.
    pub largest: Vec<Frame>,
    /// Program functions whose frame passes SBF's limit.
    pub over_limit: Vec<Frame>,
    pub functions: usize,
    /// Frames of x86 std's backtrace symbolisation (gimli, addr2line, miniz_oxide, rustc_demangle), which an
    /// SBF build does not contain: left out of `largest` and `over_limit`.
    pub excluded_not_on_sbf: usize,
}

/// Code the x86 cdylib links for std's panic backtraces and SBF's std does not have.
const NOT_ON_SBF: &[&str] = &["std::backtrace_rs", "std::backtrace::", "addr2line::", "gimli::", "miniz_oxide::", "rustc_demangle::"];

fn on_sbf(frame: &Frame) -> bool {
    !NOT_ON_SBF.iter().any(|p| frame.function.contains(p))
}

/// Builds the program as a cdylib with stack sizes into `target_dir` and reads them.
pub fn measure(workspace: &Path, target_dir: &Path) -> Result<Stack> {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(workspace)
        .args(["rustc", "--release", "--locked", "-p", "ballast", "--lib", "--crate-type", "cdylib", "--target-dir"])
        .arg(target_dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTFLAGS", "-Z emit-stack-sizes -A warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTUP_TOOLCHAIN")
        .status()
        .context("running cargo for the stack-size build")?;
    if !status.success() {
        bail!("the stack-size build failed ({status})");
    }
    let lib = target_dir.join("release").join("libballast.so");
    let out = Command::new("llvm-readobj").arg("--stack-sizes").arg("--demangle").arg(&lib).output().context("running llvm-readobj")?;
    if !out.status.success() {
        bail!("llvm-readobj failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let all = parse(&text);
    let functions = all.len();
    let mut frames: Vec<Frame> = all.into_iter().filter(on_sbf).collect();
    let excluded_not_on_sbf = functions - frames.len();
    frames.sort_by(|a, b| b.bytes.cmp(&a.bytes));
    // Everything in the cdylib runs on chain: every frame counts, not only those named after ballast.
    let over_limit = frames.iter().filter(|f| f.bytes > SBF_FRAME_BYTES).cloned().collect();
    frames.truncate(10);
    Ok(Stack { largest: frames, over_limit, functions, excluded_not_on_sbf })
}

/// llvm-readobj's `--stack-sizes` output: entries with `Functions: [names]` and `Size: N`. Demangled generic
/// names contain ", " themselves, so an entry's list is kept whole as one frame.
fn parse(text: &str) -> Vec<Frame> {
    let mut out = vec![];
    let mut name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(list) = line.strip_prefix("Functions: [").and_then(|l| l.strip_suffix(']')) {
            name = Some(list.to_string());
        } else if let Some(size) = line.strip_prefix("Size: ").and_then(|s| s.split_whitespace().next()) {
            let bytes = size.trim_start_matches("0x");
            let bytes = if size.starts_with("0x") { u64::from_str_radix(bytes, 16).ok() } else { bytes.parse().ok() };
            if let (Some(bytes), Some(function)) = (bytes, name.take()) {
                out.push(Frame { function, bytes });
            }
        }
    }
    out
}
