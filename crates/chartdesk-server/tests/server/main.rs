//! Records server tests: ONE binary (linking the AWS SDK dominates build time), one module per
//! area. moto and the server binary run as real processes; requests go over HTTP with real
//! moto-issued tokens, and the bucket is inspected through the same SDK code the server uses.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The local cloud issues tokens and the server stamps audit events in real time, and the
// harness finds its tools (moto, the server binary) through the environment.
#![allow(clippy::disallowed_methods)]

mod ambiguous_find;
mod audit_integrity;
mod audit_trail;
mod auth;
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
mod harness;
mod iam;
mod inline_thumbnails;
mod lambda;
mod malformed_requests;
mod openapi_contract;
mod patients_import;
mod revocation;
mod scan_pending;
mod sign_in_limits;
mod sign_out;
mod store_recovery;
mod upload_safety;
mod uploads;
