//! The table of Meta's fields (`webhook-macros/fields.md`) kept honest: every row's
//! typed value is the one the catalog declares, its fixture routes to it the way the
//! row says (and reads through the typed value), it names its source, and the
//! README's list of typed values is the table's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use webhook_core::{ItemKind, Notification};

const TABLE: &str = include_str!("../../../webhook-macros/fields.md");
const README: &str = include_str!("../../../README.md");

/// The reasons a row may give for having no type of ours.
/// (Not "not typed yet": a field whose value Meta documents gets a type.)
const NOT_DOCUMENTED: &str = "— not documented";
const A_STRING: &str = "— a JSON string: `Payload<String>`";

/// One row of the table.
#[derive(Debug)]
struct Row {
    object: &'static str,
    field: &'static str,
    delivered: &'static str,
    typed: &'static str,
    fixture: &'static str,
    source: &'static str,
}

/// The table's rows, parsed once for every test of the binary.
fn rows() -> &'static [Row] {
    static ROWS: std::sync::OnceLock<Vec<Row>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        TABLE
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| object "))
            .map(|line| {
                let cells: Vec<&str> = line
                    .trim_end_matches('|')
                    .split('|')
                    .skip(1)
                    .map(str::trim)
                    .collect();
                assert_eq!(cells.len(), 6, "six cells: {line}");
                Row {
                    object: cells[0],
                    field: cells[1].trim_matches('`'),
                    delivered: cells[2],
                    typed: cells[3],
                    fixture: cells[4].trim_matches('`'),
                    source: cells[5],
                }
            })
            .collect()
    })
}

/// Types by the array they read an element of (`None`: the whole value).
type Types = BTreeSet<(Option<&'static str>, &'static str)>;

/// The types a row names: `(None, type)` for the field's value and `(Some(array),
/// type)` for an element of `each` array.
fn named_types(row: &Row) -> Types {
    if row.typed.starts_with('—') {
        return BTreeSet::new();
    }
    row.typed
        .split("; ")
        .map(|part| match part.strip_prefix("each `") {
            Some(rest) => {
                let (array, ty) = rest.split_once("`: ").expect("each `array`: `Type`");
                (Some(array), ty.trim_matches('`'))
            }
            None => (None, part.trim_matches('`')),
        })
        .collect()
}

/// Delivered as a Messenger or Instagram event (not `group_feed`, an element of
/// `messaging[]` that names its own field and has a shape of its own).
/// Whether the table says `(object, field)` has no type of ours (Meta documents
/// no value, or it is a plain string): the other fixture tests accept those
/// values untyped, and only those.
pub(crate) fn untyped(object: &str, field: &str) -> bool {
    let rows = rows();
    let mut of_field = rows
        .iter()
        .filter(|r| r.object == object && (r.field == field || r.field == "*"))
        .peekable();
    of_field.peek().is_some() && of_field.all(|r| r.typed.starts_with('—'))
}

fn is_messaging(row: &Row) -> bool {
    (row.delivered.starts_with("messaging")
        && !row.delivered.ends_with("(the event names its field)"))
        || row.delivered == "standby[]"
}

#[test]
fn every_row_names_its_source_and_says_why_it_has_no_type() {
    let rows = rows();
    assert!(rows.len() > 200, "{} rows", rows.len());
    for row in rows {
        assert!(
            !row.source.is_empty() && row.source != "?",
            "{row:?}: no source"
        );
        if row.typed.starts_with('—') {
            assert!(
                [NOT_DOCUMENTED, A_STRING].contains(&row.typed),
                "{row:?}: a field whose value Meta documents needs a type; else say why there is none"
            );
        }
    }
}

#[test]
fn the_typed_values_are_the_catalogs() {
    let mut declared: BTreeMap<(&str, &str), Types> = BTreeMap::new();
    let mut any_event = BTreeSet::new();
    for (object, field, ty) in webhook_core::fields::typed_fields() {
        if ty == "messaging::AnyEvent" {
            any_event.insert((object, field));
        }
        // `AnyEvent` is named only where it is the one type (`standby`).
        if ty != "messaging::AnyEvent" || field == "standby" {
            declared
                .entry((object, field))
                .or_default()
                .insert((None, ty));
        }
    }
    for (object, field, array, ty) in webhook_core::fields::typed_elements() {
        declared
            .entry((object, field))
            .or_default()
            .insert((Some(array), ty));
    }
    let rows = rows();
    for row in rows {
        let expected = declared
            .get(&(row.object, row.field))
            .cloned()
            .unwrap_or_default();
        assert_eq!(named_types(row), expected, "{row:?}");
    }
    let named: BTreeSet<_> = rows.iter().map(|r| (r.object, r.field)).collect();
    for key in declared.keys() {
        assert!(named.contains(key), "{key:?} is typed but not in the table");
    }
    // `messaging::AnyEvent` reads exactly the rows delivered as messaging.
    let messaging: BTreeSet<_> = rows
        .iter()
        .filter(|r| is_messaging(r))
        .map(|r| (r.object, r.field))
        .collect();
    assert_eq!(any_event, messaging);
}

/// Whether `item` is delivered the way `row` says.
fn delivered_as(row: &Row, kind: ItemKind<'_>) -> bool {
    match (row.delivered, kind) {
        (d, ItemKind::Change | ItemKind::ChangedField | ItemKind::EntryField)
            if d.starts_with("change") =>
        {
            true
        }
        ("standby[]", ItemKind::Standby(_)) | ("Threads `values`", ItemKind::Threads) => true,
        (d, ItemKind::EntryKey(key)) => d
            .strip_prefix("entry `")
            .and_then(|rest| rest.split('`').next())
            .is_some_and(|named| named.trim_end_matches("[]") == key),
        (d, ItemKind::Messaging(key)) => d
            .strip_prefix("messaging `")
            .and_then(|rest| rest.split('`').next())
            .is_some_and(|named| named.split(' ').next() == Some(key)),
        _ => false,
    }
}

#[test]
fn every_row_has_a_fixture_that_routes_to_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../webhook-server/fixtures/typed");
    let mut missing = Vec::new();
    for row in rows() {
        let path = dir.join(format!("{}.json", row.fixture));
        let Ok(body) = std::fs::read(&path) else {
            missing.push(format!("{} {} ({})", row.object, row.field, row.fixture));
            continue;
        };
        let notification =
            Notification::parse(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let items: Vec<_> = notification
            .items()
            .filter(|item| {
                item.object() == row.object
                    && (row.field == "*" || item.field() == Some(row.field))
                    && delivered_as(row, item.kind())
            })
            .collect();
        assert!(
            !items.is_empty(),
            "{row:?}: {} has no item routed to it",
            row.fixture
        );
        if row.typed == A_STRING {
            assert!(
                items
                    .iter()
                    .filter(|item| item.kind() != ItemKind::ChangedField)
                    .all(|item| item.value().get().starts_with('"')),
                "{row:?}: a string, says the table"
            );
        }
        if named_types(row).iter().any(|(array, _)| array.is_none()) {
            let mut read = 0;
            for item in items.iter().filter(|i| i.kind() != ItemKind::ChangedField) {
                let field = item.field().unwrap_or_default();
                let typed = webhook_core::fields::typed_json(row.object, field, item.value())
                    .unwrap_or_else(|| panic!("{row:?}: no type for its value"));
                let value = typed.value.unwrap_or_else(|e| panic!("{row:?}: {e}"));
                assert_covers(row, item.value().get(), &value);
                read += 1;
            }
            assert!(read > 0, "{row:?}: no value to read");
        }
    }
    assert!(
        missing.is_empty(),
        "rows without a fixture:\n{}",
        missing.join("\n")
    );
}

/// A type whose fields are all optional reads almost any object: the typed value
/// must keep some of the keys the fixture sent (a type for another shape keeps
/// none).
fn assert_covers(row: &Row, sent: &str, typed: &serde_json::Value) {
    let sent: serde_json::Value = serde_json::from_str(sent).unwrap();
    let Some(sent) = sent.as_object().filter(|o| !o.is_empty()) else {
        return;
    };
    let kept = sent
        .keys()
        .filter(|key| typed.get(key.as_str()).is_some_and(|v| !v.is_null()))
        .count();
    assert!(
        kept > 0,
        "{row:?}: the typed value keeps none of the keys sent ({:?})",
        sent.keys().collect::<Vec<_>>()
    );
}

/// The README's list of typed values, between its markers, as the table gives it
/// (`UPDATE_README=1` writes it).
#[test]
fn the_readmes_typed_values_are_the_tables() {
    let mut by_module: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in rows() {
        for (_, ty) in named_types(row) {
            let (module, name) = ty.split_once("::").expect("module::Type");
            by_module.entry(module).or_default().insert(name);
        }
    }
    let mut expected = String::new();
    for (module, types) in &by_module {
        let types: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
        writeln!(expected, "- `{module}`: {}", types.join(", ")).unwrap();
    }
    let start = "<!-- typed values: generated from webhook-macros/fields.md -->\n";
    let end = "<!-- end of typed values -->";
    let (before, rest) = README
        .split_once(start)
        .expect("the README's typed values markers");
    let (found, after) = rest.split_once(end).expect("the end marker");
    if std::env::var_os("UPDATE_README").is_some() {
        assert!(
            std::env::var_os("CI").is_none(),
            "UPDATE_README writes the README; CI only checks it"
        );
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
        std::fs::write(path, format!("{before}{start}{expected}{end}{after}")).unwrap();
        return;
    }
    assert_eq!(
        found, expected,
        "the README's list should be (UPDATE_README=1 writes it):\n{expected}"
    );
}
