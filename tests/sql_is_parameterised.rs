//! Security review: every SQL statement is a constant, with values bound as parameters. The
//! check reads the source: each `sqlx::query*` call must take a string literal or a
//! `concat!` of literals (fixed at compile time), or `dialect.pick` of two such (SQLite's and
//! PostgreSQL's), never a `format!` or a variable, and SQL lives only in `src/store/`.

use std::path::{Path, PathBuf};

/// Longest first, so that `query_as_with` is not read as `query_as`.
const SQL_CALLS: [&str; 7] = [
    "query_scalar_with",
    "query_as_with",
    "query_scalar",
    "query_with",
    "query_as",
    "query",
    "raw_sql",
];

/// Where `source` builds SQL at run time: one line per call that does not take a constant.
fn unparameterised(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices("sqlx::") {
        let rest = &source[at + "sqlx::".len()..];
        if rest.starts_with("QueryBuilder") {
            found.push(line_of(source, at, "QueryBuilder builds SQL at run time"));
            continue;
        }
        let Some(call) = SQL_CALLS.iter().find(|c| rest.starts_with(**c)) else {
            continue;
        };
        let mut args = &rest[call.len()..];
        if let Some(turbofish) = args.strip_prefix("::<") {
            args = turbofish.split_once('>').map_or("", |(_, after)| after);
        }
        let Some(args) = args.strip_prefix('(') else {
            continue; // a path such as `sqlx::query::Query`, not a call
        };
        // One of two constants, the statement as each database writes it: `Dialect::pick`
        // takes only `&'static str`s, so the compiler holds the second to the same rule.
        let first = args.trim_start();
        let first = first
            .strip_prefix("dialect.pick(")
            .map_or(first, str::trim_start);
        let constant = ["\"", "r\"", "r#\"", "concat!("]
            .iter()
            .any(|p| first.starts_with(p));
        if !constant || *call == "raw_sql" {
            found.push(line_of(source, at, "SQL not a compile-time constant"));
        }
    }
    found
}

fn line_of(source: &str, at: usize, why: &str) -> String {
    format!("line {}: {why}", source[..at].lines().count().max(1))
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn every_statement_is_a_constant_with_bound_values_and_lives_in_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut calls = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        calls += source.matches("sqlx::query").count();
        if source.contains("sqlx::query") && !file.starts_with(src.join("store")) {
            problems.push(format!("{shown}: SQL outside src/store"));
        }
        problems.extend(
            unparameterised(&source)
                .into_iter()
                .map(|p| format!("{shown}: {p}")),
        );
    }
    assert!(
        calls > 20,
        "the scan found only {calls} statements: is it looking in the right place?"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_check_catches_sql_built_at_run_time() {
    let bad = r#"
        sqlx::query(&format!("SELECT * FROM people WHERE slack_id = '{id}'"))
        sqlx::query_as::<_, Row>(sql)
        sqlx::raw_sql("DELETE FROM people")
        sqlx::query(dialect.pick(sql, "SELECT 1"))
        sqlx::QueryBuilder::new("SELECT ")
    "#;
    assert_eq!(unparameterised(bad).len(), 5, "{:?}", unparameterised(bad));
    let good = r#"
        sqlx::query("SELECT 1 WHERE ? = ?").bind(a).bind(b)
        sqlx::query_as(concat!("SELECT ", columns!(), " FROM outbox WHERE id = ?"))
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox",
        )
        sqlx::query_as(dialect.pick(
            "SELECT 1 WHERE instr($1, $2) > 0",
            "SELECT 1 WHERE strpos($1, $2) > 0",
        ))
        use sqlx::query::Query;
    "#;
    assert!(
        unparameterised(good).is_empty(),
        "{:?}",
        unparameterised(good)
    );
}
