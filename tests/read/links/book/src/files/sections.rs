use std::io;
// ANCHOR: part
fn first() {}
// ANCHOR_END: part
fn hidden() {}
// ANCHOR: part
fn second() {}
// ANCHOR_END: part
