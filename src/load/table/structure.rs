//! The structure of a CSV file, checked before it is read: one pass that
//! splits it as polars' reader does and finds what the reader would not
//! say — a quote never closed, a `"` inside a value that joins lines, rows
//! with more fields than the header (docs/inputs.md "CSV structure").

use std::collections::BTreeMap;

use anyhow::Result;

use super::Table;
use crate::input_err;

/// A file whose quotes swallow or join rows is refused, naming where: a
/// quote that is never closed, or a `"` inside a value whose quoting runs
/// past the line end. (`header_line`: 0-based line of the header.)
pub(super) fn refuse_quotes(file: &str, header_line: usize, found: &Structure) -> Result<()> {
    let hint = "a value that starts with `\"` must end with one, and a quote inside a quoted value is written twice (`\"\"`); quote a whole value that holds a `\"` (`\"5\"\" screen\"`)";
    if let Some((record, line, from)) = found.open_quote {
        let row = header_line + 1 + record;
        let lines = if from == line {
            format!("on line {}", header_line + from)
        } else {
            format!(
                "on line {} (the row begins on line {})",
                header_line + from,
                header_line + line
            )
        };
        return Err(
            input_err!("{file}: row {row}: a quote that begins {lines} is never closed, so every line after it would be read as one value"; hint: "{hint}"),
        );
    }
    if let Some((record, line, field)) = found.stray_quote {
        return Err(
            input_err!("{file}: row {} (line {}), field {field}: a `\"` inside the value opens a quote that runs past the end of the line, joining the next line(s) into this row", header_line + 1 + record, header_line + line; hint: "{hint}"),
        );
    }
    Ok(())
}

impl Table {
    /// Exclude the rows [`structure`] found with more fields than the
    /// header, each an `extra_fields` issue (error level: the row's values
    /// may be shifted). `header_line`: 0-based line of the header.
    pub(super) fn exclude_wide(&mut self, wide: Vec<Wide>, header_line: usize) {
        let columns = self.columns.len();
        for (n, w) in wide.into_iter().enumerate() {
            let i = w.record - 1;
            let row = self.row(i);
            let line = if header_line + w.line == row {
                String::new()
            } else {
                format!("on line {}: ", header_line + w.line)
            };
            // Only the first three are examples (their text is kept).
            let message = if n >= 3 {
                String::new()
            } else if w.extra.is_empty() {
                format!(
                    "{line}{} fields, more than the header's {columns} and than the file's other rows, so the values may be shifted (a separator inside an unquoted value?); row excluded — quote values that hold the separator",
                    w.fields,
                )
            } else {
                format!(
                    "{line}{} fields, the header {columns}: {} and what follows are beyond the last column, so the values may be shifted (a separator inside an unquoted value?); row excluded — quote values that hold the separator",
                    w.fields,
                    crate::error::quote(&w.extra),
                )
            };
            self.exclude(
                i,
                super::Note {
                    issue: crate::data::Issue::ExtraFields,
                    row,
                    message,
                },
            );
        }
    }
}

/// What a pass over the CSV text (from the header on) finds that the
/// reader would not say: records with more fields than the header, and a
/// quote that is never closed. Records are counted from the header
/// (record 0); lines from the header line (line 1).
#[derive(Debug, Default, PartialEq)]
pub struct Structure {
    /// Records with fields beyond the header's that hold text.
    pub wide: Vec<Wide>,
    /// A quoted field that runs to the end of the file: (record, line
    /// where the record begins, line where the field begins).
    pub open_quote: Option<(usize, usize, usize)>,
    /// A `"` inside a value (not at its start) whose quoting runs past the
    /// line end, joining lines into one row: (record, line, 1-based field).
    pub stray_quote: Option<(usize, usize, usize)>,
}

/// A record with more fields than the header.
#[derive(Debug, Default, PartialEq)]
pub struct Wide {
    pub record: usize,
    pub line: usize,
    pub fields: usize,
    /// The first extra field with text (kept for the first three only;
    /// empty when the extra fields are).
    pub extra: String,
}

/// Walk `text` (UTF-8, header first) as polars' reader splits it: a `"`
/// anywhere opens or closes quoting (`""` inside quotes is both), and
/// separators and line ends inside quotes are text; every line end outside
/// quotes ends a record, a blank line too (the reader gives it a row of
/// blanks).
///
/// A record is wide when it has more fields than the header and either
/// its extra fields hold text, or it has more fields than the file's
/// usual record (a value with an unquoted separator shifts the row by one
/// field even when the last field is empty). A trailing separator on every
/// line is the usual record, and loses nothing.
///
/// A line without quotes (the usual case) is counted in one vectorized
/// pass over its bytes; only lines with quotes walk byte by byte. A second
/// pass runs only when wide records with empty extra fields are found.
pub fn structure(text: &[u8], sep: u8, header_fields: usize) -> Structure {
    let first = walk(text, sep, header_fields, None);
    let mut out = first.found;
    if out.open_quote.is_some() || out.stray_quote.is_some() {
        return out;
    }
    // The usual record: the most common field count (at least the header's).
    let usual = std::iter::once((header_fields, first.narrow))
        .chain(first.wider.iter().map(|(f, n)| (*f, *n)))
        .max_by_key(|(fields, n)| (*n, std::cmp::Reverse(*fields)))
        .map(|(f, _)| f)
        .unwrap_or(header_fields);
    if first.empty_wide.keys().any(|f| *f > usual) {
        out = walk(text, sep, header_fields, Some(usual)).found;
    }
    out
}

/// What one pass of [`structure`] found.
struct Walk {
    found: Structure,
    /// Data records with at most the header's fields.
    narrow: usize,
    /// Data records with more fields than the header, by field count.
    wider: BTreeMap<usize, usize>,
    /// Wide records whose extra fields are empty, by field count.
    empty_wide: BTreeMap<usize, usize>,
    sep: u8,
    header_fields: usize,
    /// Keep wide records with empty extras beyond this many fields.
    beyond: Option<usize>,
}

impl Walk {
    fn new(sep: u8, header_fields: usize, beyond: Option<usize>) -> Walk {
        Walk {
            found: Structure::default(),
            narrow: 0,
            wider: BTreeMap::new(),
            empty_wide: BTreeMap::new(),
            sep,
            header_fields,
            beyond,
        }
    }

    /// Count a record; note it when it is wide.
    fn record(&mut self, record: usize, line: usize, fields: usize, extra: Option<String>) {
        if record == 0 {
            return;
        }
        if fields <= self.header_fields {
            self.narrow += 1;
            return;
        }
        *self.wider.entry(fields).or_default() += 1;
        match extra {
            Some(v) => note_wide(&mut self.found, record, line, fields, v),
            None => {
                *self.empty_wide.entry(fields).or_default() += 1;
                if self.beyond.is_some_and(|b| fields > b) {
                    note_wide(&mut self.found, record, line, fields, String::new());
                }
            }
        }
    }

    /// A line without quotes: its fields and the text beyond the header's.
    fn plain_line(&mut self, line_text: &[u8], record: usize, line: usize, seps: usize) {
        let fields = seps + 1;
        let extra = (fields > self.header_fields)
            .then(|| extra_text(line_text, self.sep, self.header_fields))
            .flatten();
        self.record(record, line, fields, extra);
    }
}

/// One pass over `text`; with `beyond`, wide records with empty extra
/// fields and more than `beyond` fields are kept too.
fn walk(text: &[u8], sep: u8, header_fields: usize, beyond: Option<usize>) -> Walk {
    let mut w = Walk::new(sep, header_fields, beyond);
    if memchr::memchr(b'"', text).is_none() {
        walk_plain(text, &mut w);
        return w;
    }
    let (mut pos, mut record, mut line) = (0usize, 0usize, 1usize);
    while pos < text.len() {
        let rest = &text[pos..];
        let eol = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let phys = &rest[..eol];
        if memchr::memchr(b'"', phys).is_none() {
            let seps = phys.iter().filter(|&&b| b == sep).count();
            w.plain_line(phys, record, line, seps);
            pos += eol + 1;
            line += 1;
            record += 1;
            continue;
        }
        match quoted_record(text, pos, record, line, &mut w) {
            Some((end, lines)) => {
                pos = end + 1;
                line += lines;
                record += 1;
            }
            None => return w,
        }
    }
    w
}

/// No quote anywhere (the usual generated or database export): one tight
/// pass counting separators, line by line.
fn walk_plain(text: &[u8], w: &mut Walk) {
    let (mut pos, mut record, mut line, mut seps) = (0usize, 0usize, 1usize, 0usize);
    for (i, &b) in text.iter().enumerate() {
        seps += usize::from(b == w.sep);
        if b == b'\n' {
            w.plain_line(&text[pos..i], record, line, seps);
            (seps, pos, line, record) = (0, i + 1, line + 1, record + 1);
        }
    }
    if pos < text.len() {
        w.plain_line(&text[pos..], record, line, seps);
    }
}

/// Walk one record that has a quote, from `pos` (its first byte, on
/// `line`), byte by byte; returns where it ends (its line end, or the end
/// of the text) and how many lines it took, or `None` when a quote runs
/// to the end of the text or joins lines (noted in `w.found`).
fn quoted_record(
    text: &[u8],
    pos: usize,
    record: usize,
    line: usize,
    w: &mut Walk,
) -> Option<(usize, usize)> {
    let (sep, header_fields) = (w.sep, w.header_fields);
    let record_line = line;
    let mut line = line;
    let (mut quoted, mut quote_line, mut quote_field, mut at_start) = (false, line, 1, true);
    let (mut fields, mut field_start) = (1usize, pos);
    let mut extra: Option<String> = None;
    let mut i = pos;
    let end_field = |from: usize, to: usize, fields: usize, extra: &mut Option<String>| {
        if fields > header_fields && extra.is_none() {
            let v = field_text(&text[from..to]);
            if !v.is_empty() {
                *extra = Some(v);
            }
        }
    };
    loop {
        let Some(&b) = text.get(i) else {
            if quoted {
                w.found.open_quote = Some((record, record_line, quote_line));
                return None;
            }
            break;
        };
        if quoted {
            if b == b'"' {
                if text.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                quoted = false;
            } else if b == b'\n' {
                line += 1;
                if !at_start {
                    w.found.stray_quote = Some((record, quote_line, quote_field));
                    return None;
                }
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            quoted = true;
            quote_line = line;
            quote_field = fields;
            at_start = i == field_start;
        } else if b == b'\n' {
            line += 1;
            break;
        } else if b == sep {
            end_field(field_start, i, fields, &mut extra);
            fields += 1;
            field_start = i + 1;
        }
        i += 1;
    }
    end_field(field_start, i.min(text.len()), fields, &mut extra);
    w.record(record, record_line, fields, extra);
    Some((i, line - record_line))
}

/// The first field with text beyond the header's in a line without quotes.
fn extra_text(line: &[u8], sep: u8, header_fields: usize) -> Option<String> {
    line.split(|&b| b == sep)
        .skip(header_fields)
        .map(field_text)
        .find(|v| !v.is_empty())
}

/// A field's text as a message shows it: trimmed, outer quotes removed.
fn field_text(b: &[u8]) -> String {
    let v = String::from_utf8_lossy(b);
    v.trim().trim_matches('"').trim().to_string()
}

/// Record a wide record, keeping the text of the first three.
fn note_wide(out: &mut Structure, record: usize, line: usize, fields: usize, extra: String) {
    let extra = if out.wide.len() < 3 {
        extra
    } else {
        String::new()
    };
    out.wide.push(Wide {
        record,
        line,
        fields,
        extra,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_finds_wide_records_and_open_quotes() {
        let text = b"a,b,c\n1,2,3\n4,5,6,7\n\n\"x\ny\",8,9\n10,11,12,,\n13,\"14\"\"\",15,16\n";
        let s = structure(text, b',', 3);
        assert_eq!(s.open_quote, None);
        assert_eq!(
            s.wide,
            vec![
                Wide {
                    record: 2,
                    line: 3,
                    fields: 4,
                    extra: "7".into()
                },
                Wide {
                    record: 5,
                    line: 7,
                    fields: 5,
                    extra: String::new()
                },
                Wide {
                    record: 6,
                    line: 8,
                    fields: 4,
                    extra: "16".into()
                },
            ],
            "a blank line is a record; the quoted line end is no record; empty extra fields beyond the usual count"
        );
        let s = structure(b"a;b\r\n1;2\r\n3;\"open\r\n4;5\r\n", b';', 2);
        assert_eq!(s.open_quote, Some((2, 3, 3)));
        let s = structure(b"a,b\n1,\"2\n3,4\n", b',', 2);
        assert_eq!(s.open_quote, Some((1, 2, 2)));
        let s = structure(b"a,b\n1,2", b',', 2);
        assert_eq!(s, Structure::default());
        let s = structure(b"a,b\n1,2,x", b',', 2);
        assert_eq!(s.wide.len(), 1);
        // `5"` (inches) opens quoting that runs past the line end.
        let s = structure(b"a,b,c\n1,5\" screen,3\n4,x\"y,6\n", b',', 3);
        assert_eq!(s.stray_quote, Some((1, 2, 2)));
        // An escaped quote before a line end inside a quoted value is fine.
        let s = structure(b"a,b\n1,\"x\"\"\ny\"\n2,3\n", b',', 2);
        assert_eq!(s, Structure::default());
    }

    /// The quote-free pass and the quote-aware walk find the same records
    /// (a quoted header sends a file down the second).
    #[test]
    fn both_passes_agree() {
        let bodies = [
            "1,2,3\n4,5,6,7\n\n8,9\n10,11,12,,\n13,14,15,x\r\n",
            "1,2,3,\n4,5 x,y,,\n7,8,9,\n",
            "1,2,3\n4,Acme, Inc,\n7,8,9",
        ];
        for b in bodies {
            let plain = structure(format!("a,b,c\n{b}").as_bytes(), b',', 3);
            let quoted = structure(format!("\"a\",b,c\n{b}").as_bytes(), b',', 3);
            assert_eq!(plain, quoted, "{b:?}");
        }
    }

    /// A trailing separator on every line is the usual record: nothing is
    /// wide. A row shifted by an unquoted separator is, even when its last
    /// field is empty.
    #[test]
    fn trailing_separators_are_usual_and_shifted_rows_are_not() {
        let s = structure(b"a,b,c\n1,2,3,\n4,5,6,\n7,8,9,\n", b',', 3);
        assert_eq!(s, Structure::default());
        let s = structure(b"a,b,c\n1,2,3,\n4,5 x,y,6,\n7,8,9,\n", b',', 3);
        assert_eq!(
            s.wide,
            vec![Wide {
                record: 2,
                line: 3,
                fields: 5,
                extra: "6".into()
            }]
        );
        let s = structure(b"a,b,c\n1,2,3,\n4,5 x,y,,\n7,8,9,\n", b',', 3);
        assert_eq!(
            s.wide,
            vec![Wide {
                record: 2,
                line: 3,
                fields: 5,
                extra: String::new()
            }]
        );
        let s = structure(b"a,b,c\n1,2,3\n4,Acme, Inc,\n7,8,9\n", b',', 3);
        assert_eq!(
            s.wide,
            vec![Wide {
                record: 2,
                line: 3,
                fields: 4,
                extra: String::new()
            }]
        );
    }
}
