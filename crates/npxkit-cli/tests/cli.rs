//! End-to-end tests of the `npxkit` binary.
