//! Operator commands through the CLI's own parser: events, admin and council actions, the keeper.
mod admin;
mod events;
mod keeper;
mod tools;
