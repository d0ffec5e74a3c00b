//! Where pactwatch finds its bundled files (`models/`, `targets/`, `lexicons/`) when it runs
//! from another working directory: a relative path that does not exist from the working
//! directory is looked up, in order, under `$PACTWATCH_HOME`, beside the binary (its folder and
//! the two above it, so `target/release/pactwatch` finds its checkout), and in the checkout the
//! binary was built from. An absolute path, or one that exists as given, is used unchanged.
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The folders searched, in order, each with why it is searched.
pub fn search_roots() -> Vec<(PathBuf, &'static str)> {
    let mut roots = Vec::new();
    if let Some(h) = std::env::var_os("PACTWATCH_HOME").filter(|h| !h.is_empty()) {
        roots.push((PathBuf::from(h), "$PACTWATCH_HOME"));
    }
    if let Some(bin_dir) = std::env::current_exe().ok().and_then(|e| e.canonicalize().ok()).and_then(|e| e.parent().map(Path::to_path_buf)) {
        for (i, d) in bin_dir.ancestors().take(3).enumerate() {
            roots.push((d.to_path_buf(), if i == 0 { "beside the binary" } else { "above the binary" }));
        }
    }
    roots.push((PathBuf::from(env!("CARGO_MANIFEST_DIR")), "the checkout the binary was built from"));
    roots
}

/// `path` as given if it exists (or is absolute), else the first search root that has it.
/// The error lists every place looked in.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() || path.exists() {
        return Ok(path.to_path_buf());
    }
    let roots = search_roots();
    for (root, _) in &roots {
        let p = root.join(path);
        if p.exists() {
            return Ok(p);
        }
    }
    let cwd = std::env::current_dir().map_or("?".into(), |d| d.display().to_string());
    let looked: Vec<String> = roots.iter().map(|(r, why)| format!("{} ({why})", r.join(path).display())).collect();
    let home = if std::env::var_os("PACTWATCH_HOME").is_some() { "" } else { "; set PACTWATCH_HOME to the folder that holds models/, targets/ and lexicons/" };
    Err(Error::Invalid(format!("{}: not found from the working directory {cwd}, nor at {}{home}", path.display(), looked.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_and_absolute_paths_are_kept() {
        assert_eq!(resolve(Path::new("Cargo.toml")).unwrap(), PathBuf::from("Cargo.toml"));
        assert_eq!(resolve(Path::new("/nonexistent/x")).unwrap(), PathBuf::from("/nonexistent/x"));
    }

    #[test]
    fn missing_path_names_every_place_looked() {
        let e = resolve(Path::new("models/no-such-model")).unwrap_err().to_string();
        assert!(e.starts_with("models/no-such-model: not found from the working directory"), "{e}");
        assert!(e.contains("the checkout the binary was built from"), "{e}");
    }
}
