//! The table's columns: their headings, the sort a first click on a
//! sortable one picks, and how many a whole-row cell spans.

use leads_core::{Sort, SortField};

/// How many columns a cell spanning a whole row covers: the named columns
/// and the selection checkbox's.
pub const ROW_SPAN: usize = COLUMNS.len() + 1;

/// Column headers, in order, with the sort a first click on a sortable one
/// picks: A–Z for words, highest and newest first for numbers and dates.
pub const COLUMNS: [(&str, Option<Sort>); 8] = [
    ("Name", Some(Sort::asc(SortField::Name))),
    ("Phone", None),
    ("Email", None),
    ("Status", Some(Sort::asc(SortField::Status))),
    ("Source", None),
    ("Score", Some(Sort::desc(SortField::Score))),
    ("Tags", None),
    ("Created", Some(Sort::desc(SortField::CreatedAt))),
];
