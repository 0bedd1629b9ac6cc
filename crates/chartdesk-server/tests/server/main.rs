//! Records server tests: ONE binary (linking the AWS SDK dominates build time), one module per
//! area. moto and the server binary run as real processes; requests go over HTTP with real
//! moto-issued tokens, and the bucket is inspected through the same SDK code the server uses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ambiguous_find;
mod audit_trail;
mod auth;
mod break_glass;
mod browser_serving;
mod browser_sign_in;
mod document_views;
mod export_and_revalidate;
mod harness;
mod iam;
mod inline_thumbnails;
mod lambda;
mod patients_import;
mod scan_pending;
mod store_recovery;
mod uploads;
