//! The table's columns: their headings, the sort a first click on a
//! sortable one picks, and how many a whole-row cell spans.

use leads_core::{Sort, SortField};

use crate::i18n::{msg, Msg};

/// How many columns a cell spanning a whole row covers: the named columns
/// and the selection checkbox's.
pub const ROW_SPAN: usize = COLUMNS.len() + 1;

/// Column headers, in order, with the sort a first click on a sortable one
/// picks: A–Z for words, highest and newest first for numbers and dates.
pub const COLUMNS: [(Msg, Option<Sort>); 8] = [
    (msg::COLUMN_NAME, Some(Sort::asc(SortField::Name))),
    (msg::COLUMN_PHONE, None),
    (msg::COLUMN_EMAIL, None),
    (msg::COLUMN_STATUS, Some(Sort::asc(SortField::Status))),
    (msg::COLUMN_SOURCE, None),
    (msg::COLUMN_SCORE, Some(Sort::desc(SortField::Score))),
    (msg::COLUMN_TAGS, None),
    (msg::COLUMN_CREATED, Some(Sort::desc(SortField::CreatedAt))),
];
