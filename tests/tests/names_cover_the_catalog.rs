//! Every `(object, field)` a type of ours belongs to is a name `#[on]` accepts
//! without `unchecked`, and every `each` array in the catalog is one it knows:
//! otherwise our own types could only be used with the escape hatch.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The string literals of the `const NAME: &[&str] = &[..];` table in names.rs.
fn table(names: &str, name: &str) -> BTreeSet<String> {
    let start = names
        .find(&format!("const {name}: &[&str] = &["))
        .unwrap_or_else(|| panic!("no table {name}"));
    let body = &names[start..];
    let body = &body[..body.find("];").unwrap()];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_macro_accepts_every_catalogued_field() {
    let names = read("webhook-macros/src/names.rs");
    let catalog = read("webhook-core/src/fields/catalog.rs");
    let tables = [
        ("page", "PAGE"),
        ("instagram", "INSTAGRAM"),
        ("whatsapp_business_account", "WHATSAPP"),
        ("user", "USER"),
        ("application", "APPLICATION"),
    ];
    let each = table(&names, "EACH");
    let mut checked = 0;
    for tuple in catalog.split('(').skip(1) {
        let parts: Vec<&str> = tuple
            .split(')')
            .next()
            .unwrap()
            .split('"')
            .skip(1)
            .step_by(2)
            .collect();
        let (object, field) = match parts.as_slice() {
            [object, field] | [object, field, _] => (*object, *field),
            _ => continue,
        };
        if let [_, _, array] = parts.as_slice() {
            assert!(
                each.contains(*array),
                "`each = \"{array}\"` is used by the catalog but unknown to the macro"
            );
        }
        if let Some((_, t)) = tables.iter().find(|(o, _)| *o == object) {
            assert!(
                table(&names, t).contains(field),
                "({object}, {field}) is catalogued but the macro rejects it"
            );
            checked += 1;
        } else {
            assert!(
                names.contains(&format!("(\"{object}\"")),
                "object {object} is unknown to the macro"
            );
        }
    }
    assert!(checked > 60, "{checked}");
}
