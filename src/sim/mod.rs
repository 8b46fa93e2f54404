//! sim stage (being written).
