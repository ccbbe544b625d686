use super::*;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn defaults_and_overrides_from_the_environment() {
    let c = Config::from_lookup(env(&[
        ("META_APP_SECRET", "a, b"),
        ("META_VERIFY_TOKEN", "t"),
    ]))
    .unwrap();
    assert_eq!(
        (
            c.bind_addr().to_string(),
            c.path(),
            c.body_limit(),
            c.allows_sha1()
        ),
        ("127.0.0.1:8080".into(), "/webhook", 4_194_304, false)
    );
    assert_eq!(c.secrets.len(), 2);
    let c = Config::from_lookup(env(&[
        ("META_APP_SECRET", "a"),
        ("META_VERIFY_TOKEN", "t"),
        ("META_WEBHOOK_BIND", "0.0.0.0:9000"),
        ("META_WEBHOOK_PATH", "/meta"),
        ("META_WEBHOOK_BODY_LIMIT", "1000"),
        ("META_WEBHOOK_ALLOW_SHA1", "true"),
    ]))
    .unwrap();
    assert_eq!(
        (
            c.bind_addr().to_string(),
            c.path(),
            c.body_limit(),
            c.allows_sha1()
        ),
        ("0.0.0.0:9000".into(), "/meta", 1000, true)
    );
}

#[test]
fn missing_or_empty_settings_name_the_variable() {
    let cases: [(&[(&str, &str)], &str); 8] = [
        (
            &[("META_VERIFY_TOKEN", "t")],
            "META_APP_SECRET is missing or empty",
        ),
        (
            &[("META_APP_SECRET", ""), ("META_VERIFY_TOKEN", "t")],
            "META_APP_SECRET is missing or empty",
        ),
        (
            &[("META_APP_SECRET", "a,"), ("META_VERIFY_TOKEN", "t")],
            "META_APP_SECRET is missing or empty",
        ),
        (
            &[("META_APP_SECRET", "a")],
            "META_VERIFY_TOKEN is missing or empty",
        ),
        (
            &[("META_APP_SECRET", "a"), ("META_VERIFY_TOKEN", " ")],
            "META_VERIFY_TOKEN is missing or empty",
        ),
        (
            &[
                ("META_APP_SECRET", "a"),
                ("META_VERIFY_TOKEN", "t"),
                ("META_WEBHOOK_BIND", "localhost"),
            ],
            "META_WEBHOOK_BIND is invalid",
        ),
        (
            &[
                ("META_APP_SECRET", "a"),
                ("META_VERIFY_TOKEN", "t"),
                ("META_WEBHOOK_PATH", "webhook"),
            ],
            "META_WEBHOOK_PATH is invalid",
        ),
        (
            &[
                ("META_APP_SECRET", "a"),
                ("META_VERIFY_TOKEN", "t"),
                ("META_WEBHOOK_ALLOW_SHA1", "maybe"),
            ],
            "META_WEBHOOK_ALLOW_SHA1 is invalid",
        ),
    ];
    for (vars, expected) in cases {
        let err = Config::from_lookup(env(vars)).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{vars:?}: {err}");
    }
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let builder = Config::builder()
        .app_secret("hunter2")
        .verify_token("swordfish");
    let debug = format!("{builder:?} {:?}", builder.clone().build().unwrap());
    assert!(
        !debug.contains("hunter2") && !debug.contains("swordfish"),
        "{debug}"
    );
}

/// The variables as the README's configuration table writes them.
fn readme_table() -> String {
    use std::fmt::Write as _;
    let mut table = String::from("| variable | builder | meaning | default |\n|---|---|---|---|\n");
    for v in Config::variables() {
        let _ = writeln!(
            table,
            "| `{}` | {} | {} | {} |",
            v.name, v.builder, v.meaning, v.default
        );
    }
    table
}

#[test]
fn the_readme_lists_every_variable_as_declared() {
    let table = readme_table();
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(&table),
        "the README's configuration table differs from the declaration in config/env.rs; \
         replace it with:\n{table}"
    );
}
