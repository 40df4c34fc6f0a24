// ANCHOR: all

// ANCHOR: component
#[derive(Default)]
struct Position {
    x: f32,
    y: f32,
}
// ANCHOR_END: component

// ANCHOR: system
impl System for MySystem { ... }
// ANCHOR_END: system

// ANCHOR_END: all
