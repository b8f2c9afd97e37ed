//! `wa-contract validate FILE|DIR…`: every violation of every file, with its path.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use wa_contract::{PayloadKind, Violation, validate};

use super::{Format, InputError, Outcome};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// JSON files, or directories to search for *.json.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// The payload kind of every file (default: detected from each file's shape).
    #[arg(long, value_name = "KIND")]
    kind: Option<PayloadKind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// What one file came to.
#[derive(Debug, Serialize)]
struct FileReport {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<PayloadKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    violations: Vec<Violation>,
}

/// Every `.json` file at or under `path`, sorted.
fn files(path: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        found.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() || entry.extension().is_some_and(|ext| ext == "json") {
            files(&entry, found)?;
        }
    }
    Ok(())
}

/// Checks one file.
fn check(file: &Path, kind: Option<PayloadKind>) -> FileReport {
    let mut report = FileReport {
        file: file.display().to_string(),
        kind,
        error: None,
        violations: Vec::new(),
    };
    let value: Value = match fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}")))
    {
        Ok(value) => value,
        Err(err) => {
            report.error = Some(err);
            return report;
        }
    };
    let Some(kind) = kind.or_else(|| PayloadKind::detect(&value)) else {
        report.error = Some("cannot tell the payload kind; pass --kind".to_owned());
        return report;
    };
    report.kind = Some(kind);
    report.violations = validate(kind, &value).violations;
    report
}

/// Runs `validate`.
pub(super) fn run(args: &Args) -> Result<Outcome, InputError> {
    let mut paths = Vec::new();
    for path in &args.paths {
        files(path, &mut paths).map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    }
    let reports: Vec<FileReport> = paths.iter().map(|p| check(p, args.kind)).collect();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&reports)?),
        Format::Text => {
            for report in &reports {
                let kind = report.kind.map_or("unknown", PayloadKind::as_str);
                match (&report.error, report.violations.len()) {
                    (Some(err), _) => println!("{}: error: {err}", report.file),
                    (None, 0) => println!("{}: ok ({kind})", report.file),
                    (None, n) => {
                        println!("{}: {n} violation(s) ({kind})", report.file);
                        for v in &report.violations {
                            let path = if v.path.is_empty() { "(root)" } else { &v.path };
                            println!(
                                "  {path}: expected {}, found {} [{}]",
                                v.expected, v.found, v.rule
                            );
                        }
                    }
                }
            }
        }
    }
    if let Some(bad) = reports.iter().find(|r| r.error.is_some()) {
        return Err(InputError(format!(
            "{}: {}",
            bad.file,
            bad.error.as_deref().unwrap_or_default()
        )));
    }
    Ok(if reports.iter().all(|r| r.violations.is_empty()) {
        Outcome::Conformant
    } else {
        Outcome::Violations
    })
}
