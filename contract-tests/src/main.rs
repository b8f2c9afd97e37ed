//! The `wa-contract` command line (arrives with the CLI issue).

fn main() {}
