//! Records server tests: ONE binary (linking the AWS SDK dominates build time), one module per
//! area. Rule tests drive the router in-process over the in-memory record store
//! (`in_process.rs`); the others run moto and the server binary as real processes, over HTTP.
//! Either way tokens are real moto-issued ones, verified as in production.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The local cloud issues tokens and the server stamps audit events in real time, and the
// harness finds its tools (moto, the server binary) through the environment.
#![allow(clippy::disallowed_methods)]

mod alerts;
mod ambiguous_find;
mod audit_integrity;
mod audit_trail;
mod auth;
mod batch_starts;
mod break_glass;
mod break_glass_everyone;
mod browser_serving;
mod browser_sign_in;
mod claim_backfill;
mod client_policy;
mod disguised_names;
mod document_history;
mod document_views;
mod export_and_revalidate;
mod fhir;
mod harness;
mod iam;
mod in_process;
mod inline_thumbnails;
mod lambda;
mod long_records;
mod malformed_requests;
mod open_in_one_request;
mod openapi_contract;
mod page_previews;
mod patients_import;
mod process_backfill;
mod processing;
mod record_version;
mod revocation;
mod scan_pending;
mod sign_in_limits;
mod sign_out;
mod store_recovery;
mod upload_cancel;
mod upload_rules;
mod upload_safety;
mod uploads;
mod withheld_search;
