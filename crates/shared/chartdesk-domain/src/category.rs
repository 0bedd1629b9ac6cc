//! The seven document categories, in the fixed order the tiles show them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    TS,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Preop,
    Lab,
    Radiology,
    Intraop,
    OtNotes,
    Postop,
    Discharge,
}

impl Category {
    /// Tile order.
    pub const ALL: [Category; 7] = [
        Category::Preop,
        Category::Lab,
        Category::Radiology,
        Category::Intraop,
        Category::OtNotes,
        Category::Postop,
        Category::Discharge,
    ];

    /// The id used in storage keys and the API.
    pub fn id(self) -> &'static str {
        match self {
            Category::Preop => "preop",
            Category::Lab => "lab",
            Category::Radiology => "radiology",
            Category::Intraop => "intraop",
            Category::OtNotes => "ot_notes",
            Category::Postop => "postop",
            Category::Discharge => "discharge",
        }
    }

    /// The label staff see.
    pub fn label(self) -> &'static str {
        match self {
            Category::Preop => "Preop",
            Category::Lab => "Lab",
            Category::Radiology => "Radiology",
            Category::Intraop => "Intraop",
            Category::OtNotes => "OT notes",
            Category::Postop => "Postop",
            Category::Discharge => "Discharge",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_in_tile_order_and_round_trip() {
        let ids: Vec<_> = Category::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(
            ids,
            [
                "preop",
                "lab",
                "radiology",
                "intraop",
                "ot_notes",
                "postop",
                "discharge"
            ]
        );
        for c in Category::ALL {
            assert_eq!(Category::from_id(c.id()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.id())
            );
        }
        assert_eq!(Category::from_id("../lab"), None);
    }
}
