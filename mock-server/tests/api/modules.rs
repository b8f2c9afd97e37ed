//! The module graph of both crates, read from their sources: no module reaches back to itself
//! through the modules it uses, and shared state is named where it lives.
//!
//! A file is a module (`a/mod.rs` is `a`, `a/b.rs` is `a::b`, `lib.rs` and `main.rs` the root).
//! Its edges are the paths it names through `crate::` or `super::` (in `use` items, grouped or
//! not, and inline), each going to the longest module its path starts with. A module's edges to
//! its own submodules do not count; a submodule using its parent's items does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The roots of both crates' sources.
fn crate_sources() -> [PathBuf; 2] {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [manifest.join("src"), manifest.join("../contract-tests/src")]
}

/// Every `.rs` file under `dir`, with its path relative to `root`.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let source = fs::read_to_string(&path).expect("a readable source file");
            let relative = path.strip_prefix(root).expect("under the root").to_owned();
            out.push((relative, source));
        }
    }
}

/// The module a file is, by its path relative to the crate's `src`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    let is_root = parts.is_empty() && matches!(stem, "lib" | "main");
    if stem != "mod" && !is_root {
        parts.push(stem.to_owned());
    }
    parts.join("::")
}

/// `source` with comments and the insides of string and character literals blanked, so that
/// only code names paths. Line breaks are kept, so that lines still count.
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                    out.push_str("  ");
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    out.push_str("  ");
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_char(prev(&chars, i)) {
            // A raw string: `r"…"` or `r#"…"#`, closed by a quote and as many hashes.
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            out.push('"');
            i = j + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
            out.push('"');
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&inside) = chars.get(i) {
                    out.push(blank(inside));
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal (a lifetime has no closing quote).
            out.push_str("' ");
            i += if next == Some('\\') { 2 } else { 1 };
            while i < chars.len() && chars[i] != '\'' {
                out.push(' ');
                i += 1;
            }
            out.push('\'');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    i.checked_sub(1).map_or(' ', |j| chars[j])
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A token of stripped source and its line.
#[derive(Debug)]
struct Token {
    text: String,
    line: usize,
}

fn tokens(stripped: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut line = 1;
    let chars: Vec<char> = stripped.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if ident_char(c) {
            let start = i;
            while i < chars.len() && ident_char(chars[i]) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Token { text, line });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token {
                text: "::".to_owned(),
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                text: c.to_string(),
                line,
            });
            i += 1;
        }
    }
    out
}

/// A path a file names, from the crate root, and the line it is on.
#[derive(Debug, PartialEq, Eq)]
struct Named {
    path: Vec<String>,
    line: usize,
}

/// The paths the file of `module` names through `crate`, `super` or `self`, resolved from the
/// crate root (inline `mod` blocks move `super` and `self` down a level).
fn named_paths(module: &str, source: &str) -> Vec<Named> {
    let tokens = tokens(&strip(source));
    let file_module: Vec<String> = module
        .split("::")
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect();
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text.as_str());
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let current = || {
            let mut current = file_module.clone();
            current.extend(inline.iter().map(|(name, _)| name.clone()));
            current
        };
        match text(i) {
            "mod" if text(i + 2) == "{" => {
                depth += 1;
                inline.push((text(i + 1).to_owned(), depth));
                i += 3;
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            "use" => {
                let line = tokens[i].line;
                let mut trees = Vec::new();
                let mut at = i + 1;
                if text(at) == "::" {
                    at += 1;
                }
                use_tree(&tokens, &mut at, Vec::new(), &mut trees);
                let here = current();
                out.extend(
                    trees
                        .iter()
                        .filter_map(|path| resolve(&here, path))
                        .map(|path| Named { path, line }),
                );
                while at < tokens.len() && text(at) != ";" {
                    at += 1;
                }
                i = at + 1;
                continue;
            }
            word @ ("crate" | "super" | "self")
                if text(i + 1) == "::" && !matches!(text(i.wrapping_sub(1)), "::" | "$") =>
            {
                let line = tokens[i].line;
                let mut path = vec![word.to_owned()];
                let mut at = i + 1;
                while text(at) == "::" && tokens.get(at + 1).is_some_and(|t| is_ident(&t.text)) {
                    path.push(text(at + 1).to_owned());
                    at += 2;
                }
                if let Some(path) = resolve(&current(), &path) {
                    out.push(Named { path, line });
                }
                i = at;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn is_ident(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The paths of the `use` tree starting at `at`, each after `prefix`: `a::{b, c::d as e}` gives
/// `a::b` and `a::c::d`; a glob gives the module it opens.
fn use_tree(tokens: &[Token], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text.as_str());
    let mut path = prefix;
    loop {
        match text(*at) {
            "{" => {
                *at += 1;
                while !matches!(text(*at), "}" | "") {
                    use_tree(tokens, at, path.clone(), out);
                    if text(*at) == "," {
                        *at += 1;
                    }
                }
                *at += 1;
                return;
            }
            "*" => {
                *at += 1;
                out.push(path);
                return;
            }
            word if is_ident(word) => {
                path.push(word.to_owned());
                *at += 1;
                if text(*at) == "::" {
                    *at += 1;
                    continue;
                }
                if text(*at) == "as" {
                    *at += 2;
                }
                out.push(path);
                return;
            }
            _ => return,
        }
    }
}

/// `path` as seen from `current`, from the crate root; `None` for paths into other crates or
/// into the current module's own children by their bare name.
fn resolve(current: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut segments = path.iter().peekable();
    let mut base = match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("super" | "self") => current.to_vec(),
        _ => return None,
    };
    while let Some(segment) = segments.next_if(|s| *s == "super" || *s == "self") {
        if segment == "super" {
            base.pop()?;
        }
    }
    base.extend(segments.filter(|s| *s != "self").cloned());
    Some(base)
}

/// The longest module of `modules` that `path` starts with (the root, `""`, at worst).
fn target<'a>(modules: &'a BTreeSet<String>, path: &[String]) -> &'a str {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find_map(|prefix| modules.get(&prefix))
        .map_or("", String::as_str)
}

/// Whether `module` is `ancestor` or inside it.
fn within(module: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || module == ancestor
        || module
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with("::"))
}

/// A crate's module graph: each module's edges, with the file and line that makes each one.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// The graph of a crate whose files (relative path, source) are `files`.
fn graph(files: &[(PathBuf, String)]) -> Graph {
    let modules: BTreeSet<String> = files.iter().map(|(path, _)| module_of(path)).collect();
    let mut graph = Graph::new();
    for (path, source) in files {
        let from = module_of(path);
        let edges = graph.entry(from.clone()).or_default();
        for named in named_paths(&from, source) {
            let to = target(&modules, &named.path);
            if !within(to, &from) {
                edges
                    .entry(to.to_owned())
                    .or_insert_with(|| format!("{}:{}", path.display(), named.line));
            }
        }
    }
    graph
}

/// Every elementary cycle of `graph` (up to `limit`), each from its smallest module.
fn cycles(graph: &Graph, limit: usize) -> Vec<Vec<String>> {
    fn walk(
        graph: &Graph,
        start: &str,
        path: &mut Vec<String>,
        found: &mut Vec<Vec<String>>,
        limit: usize,
    ) {
        let last = path.last().expect("a path starts somewhere").clone();
        for next in graph.get(&last).into_iter().flat_map(BTreeMap::keys) {
            if found.len() >= limit {
                return;
            }
            if next == start {
                found.push(path.clone());
            } else if next.as_str() > start && !path.contains(next) {
                path.push(next.clone());
                walk(graph, start, path, found, limit);
                path.pop();
            }
        }
    }
    let mut found = Vec::new();
    for start in graph.keys() {
        walk(graph, start, &mut vec![start.clone()], &mut found, limit);
    }
    found
}

/// A cycle as text, with where each of its edges is made.
fn describe(graph: &Graph, cycle: &[String]) -> String {
    let mut text = String::new();
    for (i, from) in cycle.iter().enumerate() {
        let to = &cycle[(i + 1) % cycle.len()];
        let at = &graph[from][to];
        text.push_str(&format!("\n    {from} -> {to}  ({at})"));
    }
    text
}

#[test]
fn neither_crate_has_a_module_cycle() {
    let mut report = String::new();
    for root in crate_sources() {
        let mut files = Vec::new();
        rust_files(&root, &root, &mut files);
        let graph = graph(&files);
        for cycle in cycles(&graph, 200) {
            report.push_str(&format!("\n{}: {}", root.display(), cycle.join(" -> ")));
            report.push_str(&describe(&graph, &cycle));
        }
    }
    assert!(report.is_empty(), "module cycles:{report}");
}

#[test]
fn handlers_take_the_shared_state_from_its_module() {
    let [server, _] = crate_sources();
    let mut files = Vec::new();
    rust_files(&server, &server, &mut files);
    let at_the_root = |path: &Path| {
        ["graph", "admin", "inbox", "http"]
            .iter()
            .any(|dir| path.starts_with(dir))
            || path == Path::new("edge.rs")
    };
    let offenders: Vec<String> = files
        .iter()
        .filter(|(path, _)| at_the_root(path))
        .flat_map(|(path, source)| {
            named_paths(&module_of(path), source)
                .into_iter()
                .filter(|named| named.path == ["AppState"])
                .map(move |named| format!("{}:{}", path.display(), named.line))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "use crate::state::AppState, not crate::AppState: {offenders:?}"
    );
}

fn paths(module: &str, source: &str) -> Vec<String> {
    named_paths(module, source)
        .into_iter()
        .map(|named| named.path.join("::"))
        .collect()
}

#[test]
fn files_are_modules_by_their_paths() {
    assert_eq!(module_of(Path::new("lib.rs")), "");
    assert_eq!(module_of(Path::new("main.rs")), "");
    assert_eq!(module_of(Path::new("clock.rs")), "clock");
    assert_eq!(module_of(Path::new("a/mod.rs")), "a");
    assert_eq!(module_of(Path::new("a/b.rs")), "a::b");
    assert_eq!(module_of(Path::new("a/b/main.rs")), "a::b::main");
}

#[test]
fn use_items_grouped_or_not_are_read_from_the_crate_root() {
    let source = "
        use std::sync::Arc;
        use crate::{a::b, c::{d, e as f}};
        pub(crate) use super::g::{self, H};
        use super::*;
        use crate::x::Y as Z;
    ";
    assert_eq!(
        paths("m::n", source),
        ["a::b", "c::d", "c::e", "m::g", "m::g::H", "m", "x::Y"]
    );
}

#[test]
fn inline_paths_count_and_inline_modules_move_super_down() {
    let source = "
        fn f() -> crate::a::B { super::super::k(); $crate::not::this() }
        #[cfg(test)]
        mod tests {
            use super::*;
            use crate::q::r;
            fn g() { super::h(); }
        }
        fn after() { super::s(); }
    ";
    assert_eq!(
        paths("m::n::o", source),
        ["a::B", "m::k", "m::n::o", "q::r", "m::n::o::h", "m::n::s"]
    );
}

#[test]
fn comments_strings_and_characters_name_no_paths() {
    let source = r####"
        // use crate::commented;
        /* crate::blocked /* nested */ crate::still */
        /// [`crate::doc`]
        const S: &str = "use crate::quoted;";
        const R: &str = r#"crate::raw " crate::raw"#;
        const C: char = '"';
        fn f<'a>(x: &'a str) { crate::real::call(x) }
    "####;
    assert_eq!(paths("m", source), ["real::call"]);
}

/// A graph from `(from, to)` module edges.
fn graph_of(edges: &[(&str, &str)]) -> Graph {
    let mut graph = Graph::new();
    for (from, to) in edges {
        graph
            .entry((*from).to_owned())
            .or_default()
            .insert((*to).to_owned(), String::new());
        graph.entry((*to).to_owned()).or_default();
    }
    graph
}

#[test]
fn edges_go_to_the_longest_module_and_not_down_to_children() {
    let files = [
        ("lib.rs", "use crate::a::Thing; use crate::AppState;"),
        ("a/mod.rs", "use crate::a::b::Item; use crate::c::x::y;"),
        ("a/b.rs", "use super::Thing; use crate::c::Other;"),
        ("c.rs", ""),
    ]
    .map(|(path, source)| (PathBuf::from(path), source.to_owned()));
    let graph = graph(&files);
    let edges = |m: &str| graph[m].keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        edges(""),
        Vec::<String>::new(),
        "the root's modules are its children"
    );
    assert_eq!(edges("a"), ["c"]);
    assert_eq!(edges("a::b"), ["a", "c"], "a child using its parent counts");
}

#[test]
fn every_elementary_cycle_is_found_once() {
    let acyclic = graph_of(&[("a", "b"), ("b", "c"), ("a", "c")]);
    assert!(cycles(&acyclic, 10).is_empty());
    let tangled = graph_of(&[("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("d", "d")]);
    assert_eq!(
        cycles(&tangled, 10),
        [vec!["a", "b"], vec!["a", "b", "c"], vec!["d"]]
    );
}
