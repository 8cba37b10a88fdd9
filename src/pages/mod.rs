//! Pages: each composes the features into one screen and owns that
//! screen's resources and page-wide keys. Only the shell imports a page;
//! a page may use any feature, `ui` and `net`.

pub mod leads;
