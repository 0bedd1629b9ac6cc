//! Staff roles, taken from the ID token's `cognito:groups`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clinician,
    WardStaff,
    RecordsAdmin,
}

/// What a signed-in user may do. Enforced in the core; the UI only hides what would be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ViewRecords,
    Upload,
    Stamp,
    DetachOrDelete,
    /// Register, update and import patients.
    ManagePatients,
    /// Read the access history of a record.
    ReadAudit,
    /// Take documents out of the system as a ZIP (clinicians and records admins: ward staff
    /// file scans, they do not hand records on).
    Export,
    /// List and open a category's replaced, detached and deleted documents (clinicians and
    /// records admins: ward staff file scans, they do not review what left the record).
    ReadRemovedDocuments,
    /// Start a FHIR bulk export (`$export`) of whole records for another system, and create the
    /// Groups it names (records admins only: it hands out many records at once).
    BulkExport,
    /// Register, read and remove FHIR subscriptions (records admins: they send word of
    /// changes to other systems of the trust).
    ManageSubscriptions,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Clinician, Role::WardStaff, Role::RecordsAdmin];

    /// The Cognito group name.
    pub fn group(self) -> &'static str {
        match self {
            Role::Clinician => "clinician",
            Role::WardStaff => "ward_staff",
            Role::RecordsAdmin => "records_admin",
        }
    }

    /// The name staff see.
    pub fn label(self) -> &'static str {
        match self {
            Role::Clinician => "Clinician",
            Role::WardStaff => "Ward staff",
            Role::RecordsAdmin => "Records admin",
        }
    }

    pub fn from_group(group: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.group() == group)
    }

    pub fn allows(self, action: Action) -> bool {
        match self {
            // A clinical stamp ("verified", "reviewed") is a clinician's judgement: a records
            // admin stamps only when also in the clinician group.
            Role::RecordsAdmin => action != Action::Stamp,
            Role::Clinician => matches!(
                action,
                Action::ViewRecords | Action::Stamp | Action::Export | Action::ReadRemovedDocuments
            ),
            Role::WardStaff => matches!(action, Action::ViewRecords | Action::Upload),
        }
    }
}

/// Roles from a token's groups; unknown groups are ignored.
pub fn roles_from_groups<'a>(groups: impl IntoIterator<Item = &'a str>) -> Vec<Role> {
    let mut roles: Vec<Role> = groups.into_iter().filter_map(Role::from_group).collect();
    roles.sort_by_key(|r| r.group());
    roles.dedup();
    roles
}

pub fn any_allows(roles: &[Role], action: Action) -> bool {
    roles.iter().any(|r| r.allows(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_gets_exactly_its_actions() {
        use Action::*;
        let table = [
            (Role::Clinician, [true, false, true, false, true, true]),
            (Role::WardStaff, [true, true, false, false, false, false]),
            (Role::RecordsAdmin, [true, true, false, true, true, true]),
        ];
        for (role, expected) in table {
            let got = [
                ViewRecords,
                Upload,
                Stamp,
                DetachOrDelete,
                Export,
                ReadRemovedDocuments,
            ]
            .map(|a| role.allows(a));
            assert_eq!(got, expected, "{role:?}");
            let admin_only = [ManagePatients, ReadAudit, BulkExport, ManageSubscriptions]
                .map(|a| role.allows(a));
            assert_eq!(admin_only, [role == Role::RecordsAdmin; 4], "{role:?}");
        }
    }

    #[test]
    fn a_records_admin_stamps_only_when_also_a_clinician() {
        let admin = roles_from_groups(["records_admin"]);
        assert!(!any_allows(&admin, Action::Stamp));
        assert!(any_allows(&admin, Action::DetachOrDelete));
        let both = roles_from_groups(["records_admin", "clinician"]);
        assert!(any_allows(&both, Action::Stamp));
    }

    #[test]
    fn ward_staff_do_not_see_the_history_of_removed_documents() {
        assert!(!any_allows(
            &[Role::WardStaff],
            Action::ReadRemovedDocuments
        ));
        assert!(any_allows(&[Role::Clinician], Action::ReadRemovedDocuments));
        assert!(any_allows(
            &[Role::RecordsAdmin],
            Action::ReadRemovedDocuments
        ));
    }

    #[test]
    fn unknown_groups_grant_nothing() {
        let roles = roles_from_groups(["admins", "clinician", "clinician"]);
        assert_eq!(roles, vec![Role::Clinician]);
        assert!(!any_allows(
            &roles_from_groups(["admins"]),
            Action::ViewRecords
        ));
    }
}
