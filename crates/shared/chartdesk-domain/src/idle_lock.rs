//! Shared ward workstations lock after this long without keyboard or pointer use, unless the
//! hospital's server says otherwise (`CHARTDESK_IDLE_LOCK_SECONDS` there).
pub const DEFAULT_IDLE_LOCK_SECONDS: u32 = 300;
