//! Not a test of the command line's behaviour (the core's integration tests run it against the
//! sandbox, through the test kit's `command_line()`): being an integration test of this package
//! makes `cargo test` build the `chartdesk` binary first, so those tests never meet a missing
//! or stale one. It links nothing of ours.

#[test]
fn the_command_line_is_built_for_the_tests_that_run_it() {
    let built = std::path::Path::new(env!("CARGO_BIN_EXE_chartdesk"));
    assert!(built.is_file(), "{} is missing", built.display());
}
