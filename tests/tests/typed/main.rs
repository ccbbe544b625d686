//! Typed values of every field, read from the fixtures: one test binary for the four
//! groups (linking each separately cost more than running them).

mod catalog;
mod messaging;
mod objects;
mod table;
mod whatsapp;
