//! Fixed-point math. Pure functions, unit-tested inline; program code never panics here.
pub mod compound;
pub mod fraction;
pub mod rate_curve;
pub mod regime;

pub use compound::*;
pub use fraction::*;
pub use rate_curve::*;
