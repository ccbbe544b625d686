//! Every typed fixture's items read through the catalog of field types (the table
//! behind `explain --typed` and the compile-time field check) without error.

use std::path::Path;

use webhook_core::Notification;

fn fixtures(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_typed_fixture_reads_through_its_field_type() {
    let mut paths = Vec::new();
    fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../webhook-server/fixtures/typed"),
        &mut paths,
    );
    paths.sort();
    assert!(paths.len() > 100, "{} fixtures", paths.len());
    let (mut typed, mut untyped) = (0, Vec::new());
    for path in &paths {
        let body = std::fs::read(path).unwrap();
        let notification =
            Notification::parse(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            notification.items().next().is_some(),
            "{} routes nothing",
            path.display()
        );
        // `changed_fields` names carry no value to type.
        for item in notification
            .items()
            .filter(|i| i.kind() != webhook_core::ItemKind::ChangedField)
        {
            let field = item.field().unwrap_or_default();
            match webhook_core::fields::typed_json(item.object(), field, item.value()) {
                Some(webhook_core::fields::TypedJson {
                    type_name,
                    value: Ok(value),
                }) => {
                    typed += 1;
                    assert!(
                        !value.is_null(),
                        "{}: {type_name} read null",
                        path.display()
                    );
                }
                Some(webhook_core::fields::TypedJson {
                    type_name,
                    value: Err(e),
                }) => {
                    panic!(
                        "{}: ({}, {field}) as {type_name}: {e}",
                        path.display(),
                        item.object()
                    )
                }
                None => untyped.push((item.object().to_owned(), field.to_owned())),
            }
        }
    }
    assert!(typed > 100, "{typed} typed items");
    untyped.sort();
    untyped.dedup();
    // Only fields the table says have no type of ours.
    for (object, field) in &untyped {
        assert!(
            crate::table::untyped(object, field),
            "no type for ({object}, {field})"
        );
    }
}
