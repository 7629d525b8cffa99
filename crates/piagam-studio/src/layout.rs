//! The design screen's editor: each element of a template as a box on the
//! page, in millimetres, and a change to one box written back into the
//! template's own `template.toml` with toml_edit, so the organizer's (or
//! the bundled design's) comments and order stay. A change the engine
//! would refuse is put back, and the reason is told on the box.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use crate::event::{FieldError, CONFIG_FILE};

/// The fonts every template can use: those bundled with piagam.
const BUNDLED_FONTS: &[&str] = &["Charis SIL", "EB Garamond"];

/// The words a text prints: under `*` when one string serves every
/// language, else one per language code.
pub type Words = BTreeMap<String, String>;

/// One element as the editor draws it.
#[derive(Debug, Clone, Serialize)]
pub struct ElementBox {
    pub element: usize,
    /// text, qr, image, signatory, rect or line.
    pub kind: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// A QR code stays square; a line is moved, not resized.
    pub resizable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Words>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_size: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub align: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Printed on blank stock already.
    pub stock: bool,
}

/// A template's page and its boxes.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub languages: Vec<String>,
    pub fonts: Vec<String>,
    pub boxes: Vec<ElementBox>,
}

/// What the editor changes on one box; what it leaves out stays. A style
/// given as `null` is taken out, so the template's default applies again
/// (how an undo puts back a style the box did not have).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxChange {
    pub element: usize,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub w: Option<f64>,
    pub h: Option<f64>,
    pub words: Option<Words>,
    #[serde(default, deserialize_with = "given")]
    pub font: Option<Option<String>>,
    #[serde(default, deserialize_with = "given")]
    pub size: Option<Option<f64>>,
    #[serde(default, deserialize_with = "given")]
    pub min_size: Option<Option<f64>>,
    #[serde(default, deserialize_with = "given")]
    pub align: Option<Option<String>>,
    #[serde(default, deserialize_with = "given")]
    pub color: Option<Option<String>>,
}

/// A key that is present: `Some(None)` when it is `null`.
fn given<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A problem the engine found in one box, for some roster row.
#[derive(Debug, Clone, Serialize)]
pub struct BoxProblem {
    pub element: usize,
    /// does-not-fit or small-qr.
    pub code: &'static str,
    pub row: Option<usize>,
    pub detail: String,
}

fn number(table: &Table, key: &str) -> Option<f64> {
    let item = table.get(key)?;
    item.as_float()
        .or_else(|| item.as_integer().map(|i| i as f64))
}

fn string(table: &Table, key: &str) -> Option<String> {
    table.get(key)?.as_str().map(str::to_owned)
}

/// A font as written: one family, or a chain whose first is the one shown.
fn font(table: &Table) -> Option<String> {
    let item = table.get("font")?;
    item.as_str().map(str::to_owned).or_else(|| {
        item.as_array()
            .and_then(|a| a.get(0))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

fn words(item: Option<&Item>) -> Option<Words> {
    let item = item?;
    if let Some(one) = item.as_str() {
        return Some(Words::from([("*".to_owned(), one.to_owned())]));
    }
    let table = item.as_table_like()?;
    Some(
        table
            .iter()
            .filter_map(|(lang, v)| Some((lang.to_owned(), v.as_str()?.to_owned())))
            .collect(),
    )
}

fn element_box(element: usize, table: &Table) -> Option<ElementBox> {
    let kind = string(table, "type")?;
    let (x, y, w, h, resizable) = match kind.as_str() {
        "qr" => {
            let size = number(table, "size")?;
            (number(table, "x")?, number(table, "y")?, size, size, true)
        }
        "line" => {
            let [x1, y1, x2, y2] = ["x1", "y1", "x2", "y2"].map(|k| number(table, k));
            let (x1, y1, x2, y2) = (x1?, y1?, x2?, y2?);
            (
                x1.min(x2),
                y1.min(y2),
                (x2 - x1).abs(),
                (y2 - y1).abs(),
                false,
            )
        }
        _ => (
            number(table, "x")?,
            number(table, "y")?,
            number(table, "w")?,
            number(table, "h")?,
            true,
        ),
    };
    let text = kind == "text";
    Some(ElementBox {
        element,
        x,
        y,
        w,
        h,
        resizable,
        words: if text { words(table.get("text")) } else { None },
        font: font(table),
        size: number(table, "size").filter(|_| kind != "qr"),
        min_size: number(table, "min_size"),
        align: string(table, "align").or_else(|| text.then(|| "center".to_owned())),
        color: string(table, "color"),
        stock: table.get("stock").and_then(Item::as_bool).unwrap_or(false),
        kind,
    })
}

fn parse(text: &str) -> Result<DocumentMut, FieldError> {
    text.parse()
        .map_err(|e: toml_edit::TomlError| FieldError::new("layout", "unreadable", e.to_string()))
}

fn elements_mut(doc: &mut DocumentMut) -> Option<&mut toml_edit::ArrayOfTables> {
    doc.get_mut("element")?.as_array_of_tables_mut()
}

/// The boxes of document `document`'s template, on its page.
pub fn read(folder: &Path, document: usize) -> Result<Layout, FieldError> {
    let dir = crate::design::template_dir(folder, document, "layout")?;
    let template = piagam::template::Template::load(&dir)
        .map_err(|e| FieldError::new("layout", "refused", e.to_string()))?;
    let text = std::fs::read_to_string(dir.join("template.toml"))
        .map_err(|e| FieldError::new("layout", "unreadable", e.to_string()))?;
    let doc = parse(&text)?;
    let boxes = doc
        .get("element")
        .and_then(Item::as_array_of_tables)
        .map(|elements| {
            elements
                .iter()
                .enumerate()
                .filter_map(|(i, t)| element_box(i, t))
                .collect()
        })
        .unwrap_or_default();
    let mut fonts: Vec<String> = BUNDLED_FONTS.iter().map(|f| (*f).to_owned()).collect();
    if let Some(own) = doc.get("fonts").and_then(Item::as_table) {
        fonts.extend(own.iter().map(|(family, _)| family.to_owned()));
    }
    Ok(Layout {
        width: f64::from(template.width_mm),
        height: f64::from(template.height_mm),
        languages: template
            .languages
            .iter()
            .map(|l| l.code().to_owned())
            .collect(),
        fonts,
        boxes,
    })
}

/// A length or size as the file keeps it: to a tenth, and whole numbers
/// as such, so an undo gives back the very text.
fn millimetres(mm: f64) -> Value {
    let tenths = (mm * 10.0).round();
    if tenths % 10.0 == 0.0 {
        Value::from(tenths as i64 / 10)
    } else {
        Value::from(tenths / 10.0)
    }
}

fn set(table: &mut Table, key: &str, new: Value) {
    // Keep the key's place and its comments; only the value changes.
    match table.get_mut(key) {
        Some(item) => {
            let decor = item.as_value().map(|v| v.decor().clone());
            let mut new = new;
            if let Some(decor) = decor {
                *new.decor_mut() = decor;
            }
            *item = Item::Value(new);
        }
        None => {
            table.insert(key, Item::Value(new));
        }
    }
}

fn apply(table: &mut Table, change: &BoxChange) -> Result<(), &'static str> {
    let kind = string(table, "type").ok_or("unknown-element")?;
    let finite = [
        change.x,
        change.y,
        change.w,
        change.h,
        change.size.flatten(),
        change.min_size.flatten(),
    ]
    .iter()
    .flatten()
    .all(|n| n.is_finite());
    if !finite {
        return Err("not-a-number");
    }
    match kind.as_str() {
        "line" => {
            let here = element_box(0, table).ok_or("unknown-element")?;
            let dx = change.x.map_or(0.0, |x| x - here.x);
            let dy = change.y.map_or(0.0, |y| y - here.y);
            for (key, delta) in [("x1", dx), ("x2", dx), ("y1", dy), ("y2", dy)] {
                let at = number(table, key).ok_or("unknown-element")?;
                set(table, key, millimetres(at + delta));
            }
        }
        "qr" => {
            for (key, v) in [("x", change.x), ("y", change.y), ("size", change.w)] {
                if let Some(v) = v {
                    set(table, key, millimetres(v));
                }
            }
        }
        _ => {
            for (key, v) in [
                ("x", change.x),
                ("y", change.y),
                ("w", change.w),
                ("h", change.h),
            ] {
                if let Some(v) = v {
                    set(table, key, millimetres(v));
                }
            }
        }
    }
    let text = kind == "text";
    if change.align.is_some() && !text {
        return Err("not-a-text");
    }
    let points = |v: &Option<f64>| v.map(millimetres);
    let styles = [
        (
            "font",
            change.font.as_ref().map(|f| f.as_deref().map(Value::from)),
        ),
        ("size", change.size.as_ref().map(points)),
        ("min_size", change.min_size.as_ref().map(points)),
        (
            "align",
            change.align.as_ref().map(|a| a.as_deref().map(Value::from)),
        ),
        (
            "color",
            change.color.as_ref().map(|c| c.as_deref().map(Value::from)),
        ),
    ];
    for (key, style) in styles {
        match style {
            Some(Some(v)) => set(table, key, v),
            Some(None) => {
                table.remove(key);
            }
            None => {}
        }
    }
    if let Some(words) = &change.words {
        if !text {
            return Err("not-a-text");
        }
        let new = match words.get("*") {
            Some(one) if words.len() == 1 => Value::from(one.as_str()),
            _ => {
                let mut per = InlineTable::new();
                for (lang, w) in words {
                    per.insert(lang, Value::from(w.as_str()));
                }
                Value::InlineTable(per)
            }
        };
        set(table, "text", new);
    }
    Ok(())
}

/// Writes `change` into document `document`'s template. If the engine
/// then refuses the template, the file is put back and the reason told,
/// on the box.
pub fn change(folder: &Path, document: usize, change: &BoxChange) -> Result<Layout, FieldError> {
    let on_box = |code: &'static str, detail: String| {
        FieldError::new("layout", code, detail).on_element(change.element)
    };
    let dir = crate::design::template_dir(folder, document, "layout")?;
    let path = dir.join("template.toml");
    let before = std::fs::read_to_string(&path)
        .map_err(|e| FieldError::new("layout", "unreadable", e.to_string()))?;
    let mut doc = parse(&before)?;
    let table = elements_mut(&mut doc)
        .and_then(|elements| elements.get_mut(change.element))
        .ok_or_else(|| on_box("unknown-element", String::new()))?;
    apply(table, change).map_err(|code| on_box(code, String::new()))?;
    let after = doc.to_string();
    piagam::write_atomic(&path, after.as_bytes())
        .map_err(|e| FieldError::new("layout", "unwritable", e.to_string()))?;
    if let Err(e) = piagam::template::Template::load(&dir) {
        let _ = piagam::write_atomic(&path, before.as_bytes());
        return Err(on_box("refused", e.to_string()));
    }
    read(folder, document)
}

/// Lays out every roster row's document `document` as `check` would, and
/// tells what does not fit, on its box.
pub fn problems(folder: &Path, document: usize) -> Result<Vec<BoxProblem>, FieldError> {
    let Some(roster) = crate::roster::roster_file(folder) else {
        return Ok(Vec::new());
    };
    let sources = piagam::project::Sources {
        roster,
        config: Some(folder.join(CONFIG_FILE)),
        register: piagam::generate::RegisterChoice::Off,
        ..Default::default()
    };
    let project = piagam::project::Project::open(&sources)
        .map_err(|e| FieldError::new("layout", "cannot-check", e.to_string()))?;
    let Some(template) = project.templates().get(document) else {
        return Err(FieldError::new("layout", "no-document", String::new()));
    };
    let qr = template.qr_element();
    let kind = template.kind.clone();
    let options = piagam::project::RunOptions::default();
    let outcome = match project.check(&options) {
        Ok(outcome) => outcome,
        Err(e) => return Err(FieldError::new("layout", "cannot-check", e.to_string())),
    };
    let mut found = Vec::new();
    // A row's own problems (a missing name) are the roster screen's.
    for problem in outcome.rejected {
        let Some(spot) = problem.spot.filter(|s| s.template == document) else {
            continue;
        };
        let code = if Some(spot.element) == qr {
            "small-qr"
        } else {
            "does-not-fit"
        };
        found.push(BoxProblem {
            element: spot.element,
            code,
            row: problem.row,
            detail: problem.reason,
        });
    }
    for warning in &outcome.warnings {
        if let piagam::Warning::SmallQr {
            row,
            kind: of,
            module_mm,
            ..
        } = warning
        {
            if let (Some(element), true) = (qr, *of == kind) {
                found.push(BoxProblem {
                    element,
                    code: "small-qr",
                    row: Some(*row),
                    detail: format!("{module_mm:.2}"),
                });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "# The organizer's note stays.\nkind = \"piagam\"\nname = \"t\"\n\n[page]\nsize = \"A4\"\norientation = \"landscape\"\n\n# The name.\n[[element]]\ntype = \"text\"\ntext = \"{{recipient}}\"\nx = 10\ny = 20 # from the top\nw = 100\nh = 15\nsize = 20\n\n[[element]]\ntype = \"qr\"\nx = 200\ny = 150\nsize = 30\n\n[[element]]\ntype = \"line\"\nx1 = 10\ny1 = 40\nx2 = 110\ny2 = 40\n";

    fn boxes(text: &str) -> Vec<ElementBox> {
        let doc = parse(text).unwrap();
        doc["element"]
            .as_array_of_tables()
            .unwrap()
            .iter()
            .enumerate()
            .filter_map(|(i, t)| element_box(i, t))
            .collect()
    }

    fn changed(change: &BoxChange) -> String {
        let mut doc = parse(TEMPLATE).unwrap();
        let table = elements_mut(&mut doc)
            .unwrap()
            .get_mut(change.element)
            .unwrap();
        apply(table, change).unwrap();
        doc.to_string()
    }

    #[test]
    fn a_move_changes_only_the_numbers_and_keeps_comments_and_order() {
        let after = changed(&BoxChange {
            element: 0,
            x: Some(12.04),
            y: Some(31.5),
            ..Default::default()
        });
        assert_eq!(
            after,
            TEMPLATE.replace(
                "x = 10\ny = 20 # from the top",
                "x = 12\ny = 31.5 # from the top"
            )
        );
    }

    #[test]
    fn a_qr_code_stays_square_and_a_line_moves_whole() {
        let after = changed(&BoxChange {
            element: 1,
            x: Some(20.0),
            y: Some(160.0),
            w: Some(35.0),
            h: Some(50.0),
            ..Default::default()
        });
        let qr = &boxes(&after)[1];
        assert_eq!([qr.x, qr.y, qr.w, qr.h], [20.0, 160.0, 35.0, 35.0]);
        let after = changed(&BoxChange {
            element: 2,
            x: Some(15.0),
            y: Some(50.0),
            ..Default::default()
        });
        assert!(
            after.ends_with("x1 = 15\ny1 = 50\nx2 = 115\ny2 = 50\n"),
            "{after}"
        );
    }

    #[test]
    fn words_per_language_become_a_table_and_one_for_all_a_string() {
        let per = Words::from([
            ("id".to_owned(), "Kepada {{recipient}}".to_owned()),
            ("en".to_owned(), "To {{recipient}}".to_owned()),
        ]);
        let after = changed(&BoxChange {
            element: 0,
            words: Some(per.clone()),
            ..Default::default()
        });
        assert!(
            after.contains("text = { en = \"To {{recipient}}\", id = \"Kepada {{recipient}}\" }"),
            "{after}"
        );
        assert_eq!(boxes(&after)[0].words.as_ref(), Some(&per));
        assert_eq!(
            boxes(TEMPLATE)[0].words,
            Some(Words::from([("*".to_owned(), "{{recipient}}".to_owned())]))
        );
    }

    #[test]
    fn a_style_is_set_in_place_and_null_takes_it_out() {
        let change: BoxChange =
            serde_json::from_str(r#"{"element":0,"size":24.25,"font":"EB Garamond","color":null}"#)
                .unwrap();
        let after = changed(&change);
        assert!(
            after.contains("h = 15\nsize = 24.3\nfont = \"EB Garamond\"\n"),
            "{after}"
        );
        let undo: BoxChange =
            serde_json::from_str(r#"{"element":0,"size":20,"font":null}"#).unwrap();
        let mut doc = parse(&after).unwrap();
        let table = elements_mut(&mut doc).unwrap().get_mut(0).unwrap();
        apply(table, &undo).unwrap();
        assert_eq!(doc.to_string(), TEMPLATE);
    }

    #[test]
    fn what_only_a_text_has_is_refused_on_other_boxes() {
        let mut doc = parse(TEMPLATE).unwrap();
        let qr = elements_mut(&mut doc).unwrap().get_mut(1).unwrap();
        let change = BoxChange {
            element: 1,
            align: Some(Some("left".into())),
            ..Default::default()
        };
        assert_eq!(apply(qr, &change), Err("not-a-text"));
        let change = BoxChange {
            element: 1,
            x: Some(f64::NAN),
            ..Default::default()
        };
        assert_eq!(apply(qr, &change), Err("not-a-number"));
    }
}
