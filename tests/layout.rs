//! The layout the README promises, checked: the domain depends on nothing of ours, no two of
//! its modules import each other, and no source file holds more than about 600 lines before
//! its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const MOST_LINES: usize = 620;

fn sources(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The code before a file's own test module: the first `#[cfg(test)]` that opens a `mod …
/// {` block. A test-only item or a test module in a file of its own (`mod contract_tests;`)
/// is code of the file and counted.
fn before_tests(text: &str) -> &str {
    const MARK: &str = "\n#[cfg(test)]\n";
    let mut from = 0;
    while let Some(found) = text[from..].find(MARK) {
        let at = from + found;
        let next = text[at + MARK.len()..].lines().next().unwrap_or_default();
        if next.starts_with("mod ") && next.trim_end().ends_with('{') {
            return &text[..at];
        }
        from = at + MARK.len();
    }
    text
}

#[test]
fn a_test_module_declared_at_the_top_does_not_hide_the_file() {
    let text =
        "#[cfg(test)]\nmod contract_tests;\n\nfn real() {}\n\n#[cfg(test)]\nmod tests {\n}\n";
    assert_eq!(
        before_tests(&format!("\n{text}")),
        "\n#[cfg(test)]\nmod contract_tests;\n\nfn real() {}\n"
    );
}

/// The domain modules `text` names, as `super::x` or `crate::domain::x`.
fn domain_imports(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for prefix in ["super::", "crate::domain::"] {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&name) {
                named.insert(name);
            }
        }
        // `use super::{a, b::C}`: each name inside the braces.
        for (at, _) in text.match_indices(&format!("{prefix}{{")) {
            let rest = &text[at + prefix.len() + 1..];
            let inside = &rest[..rest.find('}').unwrap_or(rest.len())];
            for part in inside.split(',') {
                let name = part.trim().split("::").next().unwrap_or_default();
                if modules.contains(name) {
                    named.insert(name.to_string());
                }
            }
        }
    }
    named
}

#[test]
fn the_domain_depends_on_nothing_of_ours_and_no_two_of_its_modules_import_each_other() {
    let domain = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let files = sources(&domain);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "mod")
        .collect();
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let code = before_tests(&text);
        let code_lines = code.lines().filter(|l| !l.trim_start().starts_with("//"));
        for line in code_lines.filter(|l| l.contains("crate::")) {
            assert!(
                line.contains("crate::domain"),
                "{}: the domain uses something outside it: {line}",
                file.display()
            );
        }
        if module != "mod" {
            let mut named = domain_imports(code, &modules);
            named.remove(&module);
            imports.insert(module, named);
        }
    }
    assert!(imports.len() > 20, "the domain's modules were read");
    for (module, named) in &imports {
        for other in named {
            assert!(
                !imports[other].contains(module),
                "domain/{module}.rs and domain/{other}.rs import each other"
            );
        }
    }
}

#[test]
fn no_source_file_holds_more_than_about_600_lines_before_its_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    assert!(files.len() > 50, "the sources were read");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines = before_tests(&text).lines().count();
        assert!(
            lines <= MOST_LINES,
            "{} has {lines} lines before its tests: split it along a seam",
            file.display()
        );
    }
}

#[test]
fn no_two_of_the_crates_top_level_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&src) {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        for line in before_tests(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
        {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name != module {
                    imports.entry(module.clone()).or_default().insert(name);
                }
            }
        }
    }
    assert!(
        imports["slack"].contains("commands"),
        "the imports were read"
    );
    for (module, named) in &imports {
        for other in named {
            assert!(
                !imports.get(other).is_some_and(|n| n.contains(module)),
                "src/{module} and src/{other} import each other"
            );
        }
    }
    assert_eq!(
        imports.get("domain"),
        None,
        "the domain depends on nothing of ours"
    );
}
