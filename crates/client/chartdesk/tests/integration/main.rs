//! Core integration tests: ONE binary (linking the AWS SDK dominates build time), one module
//! per area, all against a real local cloud (moto's server) through the real AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The local cloud issues tokens and the server stamps audit events in real time, and the
// harness finds its tools (moto, the server binary) through the environment.
#![allow(clippy::disallowed_methods)]

mod cache_per_patient;
mod document_pages;
mod document_views;
mod documents;
mod export;
mod fhir_export;
mod first_screen;
mod hospital_policy;
mod idle_lock;
mod local_cloud;
mod mfa_setup;
mod network_switch;
mod offline;
mod offline_audit;
mod offline_withheld;
mod outbox;
mod outbox_busy;
mod outbox_cli;
mod outbox_images;
mod outbox_kill;
mod outbox_streaming;
mod outbox_window;
mod page_previews;
mod patient_lookup;
mod records_server;
mod remembered_session;
mod removal;
mod s3_conformance;
mod sandbox_launcher;
mod sandbox_provisioning;
mod scan_status;
mod sign_in;
mod srp_maths;
mod stamps;
mod test_kit;
mod token_verification;
mod upload;
mod virus_alerts;
