//! Fictional demo patients with valid NHS numbers (Modulus 11) and what each one's record holds.

use chartdesk_domain::Category;

pub struct DemoPatient {
    pub nhs_number: &'static str,
    pub mrn: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub birth_date: &'static str,
    pub postcode: &'static str,
    pub restricted: bool,
    pub superseded: bool,
    /// Image documents are greyscale TIFF page scans (as a ward scanner makes) instead of JPEGs.
    pub tiff_scans: bool,
    /// Documents per category, in tile order (preop, lab, radiology, intraop, ot_notes, postop, discharge).
    pub documents: [u8; 7],
    /// The documents (as many as `documents` plans) are the processing showcase, left *queued*
    /// for the server's worker as an upload leaves them (`demo_processing`).
    pub processed_by_worker: bool,
}

impl DemoPatient {
    pub fn document_plan(&self) -> impl Iterator<Item = (Category, u8)> + '_ {
        Category::ALL.into_iter().zip(self.documents)
    }
}

const fn p(
    nhs_number: &'static str,
    mrn: &'static str,
    given_name: &'static str,
    family_name: &'static str,
    birth_date: &'static str,
    postcode: &'static str,
    documents: [u8; 7],
) -> DemoPatient {
    DemoPatient {
        nhs_number,
        mrn,
        given_name,
        family_name,
        birth_date,
        postcode,
        restricted: false,
        superseded: false,
        tiff_scans: false,
        documents,
        processed_by_worker: false,
    }
}

/// A table, kept one patient per line for reading.
#[rustfmt::skip]
pub fn demo_patients() -> Vec<DemoPatient> {
    let mut list = vec![
        p("9434765919", "10000001", "Amara", "Whitfield", "1958-03-14", "LS1 4AP", [3, 2, 1, 0, 0, 0, 1]),
        p("4010232137", "10000002", "Tomasz", "Kowalczyk", "1972-11-02", "M13 9PL", [1, 3, 0, 1, 1, 1, 0]),
        p("5990128088", "10000003", "Grace", "Adeyemi", "1990-06-21", "B15 2TT", [0, 1, 2, 0, 0, 0, 0]),
        p("9995260182", "10000004", "Hamish", "MacLeod", "1949-01-30", "EH3 9HA", [2, 1, 1, 1, 1, 1, 1]),
        p("9991590838", "10000005", "Priya", "Raman", "1985-09-09", "LE1 5WW", [0, 0, 0, 0, 0, 0, 0]),
        p("9990166137", "10000006", "Owen", "Pritchard", "2001-12-25", "CF10 3AT", [1, 0, 0, 0, 0, 0, 1]),
        p("9991860916", "10000007", "Siobhan", "Gallagher", "1966-04-18", "BT7 1NN", [0, 2, 0, 0, 0, 0, 0]),
        p("9993909963", "10000008", "Kwame", "Mensah", "1979-07-07", "SE5 9RS", [3, 1, 1, 0, 1, 0, 0]),
        p("9990308241", "10000009", "Eleanor", "Ashworth", "1938-02-11", "YO1 7HH", [0, 0, 1, 0, 0, 1, 1]),
        p("9996281949", "10000010", "Yusuf", "Demir", "1995-10-03", "NE1 4LP", [1, 1, 0, 0, 0, 0, 0]),
        p("9998219930", "10000011", "Freya", "Lindqvist", "1982-05-27", "BS2 8HW", [0, 0, 0, 1, 1, 1, 0]),
        p("9995181908", "10000012", "Marcus", "Oyelaran", "1960-08-16", "NG7 2UH", [2, 2, 2, 0, 0, 0, 2]),
        p("9992319488", "10000013", "Arthur", "Penhaligon", "1944-12-01", "TR1 3LJ", [0, 1, 0, 0, 0, 0, 0]),
        p("9997400003", "10000014", "Rosalind", "Achterberg", "1971-03-08", "OX1 2JD", [0, 1, 0, 0, 0, 0, 2]),
    ];
    // Flags the banner must show.
    list[6].restricted = true;
    list[12].superseded = true;
    // Eleanor Ashworth's radiology scan is a TIFF (opened from its optimized JPEG).
    list[8].tiff_scans = true;
    // Rosalind Achterberg's lab report, clinic letter (an image) and a file carrying the
    // anti-virus test string go through the server's worker once the sandbox starts.
    list[13].processed_by_worker = true;
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdesk_domain::{MrnFormat, NhsNumber};

    #[test]
    fn every_demo_patient_has_valid_unique_identifiers() {
        let list = demo_patients();
        assert!(list.len() >= 12);
        let mut seen = std::collections::HashSet::new();
        for d in &list {
            assert!(NhsNumber::parse(d.nhs_number).is_ok(), "{}", d.mrn);
            assert!(MrnFormat::default().parse(d.mrn).is_ok());
            assert!(seen.insert(d.nhs_number) && seen.insert(d.mrn));
        }
    }

    #[test]
    fn demo_records_have_both_blue_and_grey_tiles() {
        let first = &demo_patients()[0];
        assert!(first.documents.iter().any(|&n| n > 0));
        assert!(first.documents.contains(&0));
    }
}
