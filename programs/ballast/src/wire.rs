//! Layout types that instructions and events also carry, declared once as two types. At the crate root so
//! state (account configs) and math (the rate curve's points) both take it without math depending on state.
//!
//! A type nested in a zero-copy account is `bytemuck` in the IDL (`#[zero_copy]`), and Anchor's
//! `declare_program!` gives such a type `Pod` and `Zeroable` but no borsh. Instruction arguments and events
//! are borsh, so each config they carry has a borsh twin, `…Wire`: the same fields in the same order, docs
//! included, so the two encode to the same bytes (a `Pod` layout has no implicit padding). The program converts
//! at its edge, `From` both ways, and keeps every rule on the layout type.
//!
//! `layout_and_wire!` writes both from one field list. A field whose type has a twin names it with `as`:
//! `pub oracle: OracleConfig as OracleConfigWire`. Types are written as single token trees (`u64`,
//! `[u8; 25]`), never as `ty` fragments, so the IDL build sees plain tokens.
use anchor_lang::prelude::Pubkey;

/// Field-by-field conversion between a layout type and its wire twin (identity for plain values).
pub trait Twin<T> {
    fn twin(self) -> T;
}

macro_rules! identity_twin {
    ($($t:ty),*) => { $(impl Twin<$t> for $t { fn twin(self) -> $t { self } })* };
}
identity_twin!(u8, u16, u32, u64, i64, Pubkey);

impl<A: Twin<B> + Copy, B, const N: usize> Twin<[B; N]> for [A; N] {
    fn twin(self) -> [B; N] {
        self.map(Twin::twin)
    }
}

macro_rules! layout_and_wire {
    (
        $(#[$($meta:tt)*])*
        pub struct $layout:ident / $wire:ident { $($body:tt)* }
    ) => {
        $crate::wire::layout_and_wire!(@layout [$(#[$($meta)*])*] $layout [] $($body)*);
        $crate::wire::layout_and_wire!(@wire [$(#[$($meta)*])*] $layout $wire [] $($body)*);
        $crate::wire::layout_and_wire!(@convert $layout $wire [] $($body)*);
    };

    // The layout: every field with its own type.
    (@layout [$($meta:tt)*] $layout:ident [$($done:tt)*]) => {
        $($meta)*
        #[zero_copy]
        #[derive(Debug, PartialEq, Eq)]
        pub struct $layout { $($done)* }
    };
    (@layout $meta:tt $layout:ident [$($done:tt)*]
        $(#[$($fm:tt)*])* pub $field:ident : $lty:tt $(as $wty:tt)?, $($rest:tt)*) => {
        $crate::wire::layout_and_wire!(@layout $meta $layout [$($done)* $(#[$($fm)*])* pub $field: $lty,] $($rest)*);
    };

    // The wire twin: a nested field takes its twin's type.
    (@wire [$($meta:tt)*] $layout:ident $wire:ident [$($done:tt)*]) => {
        $($meta)*
        #[doc = ""]
        #[doc = concat!("Wire form of `", stringify!($layout), "` (borsh, in instruction data and events).")]
        #[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $wire { $($done)* }
    };
    (@wire $meta:tt $layout:ident $wire:ident [$($done:tt)*]
        $(#[$($fm:tt)*])* pub $field:ident : $lty:tt as $wty:tt, $($rest:tt)*) => {
        $crate::wire::layout_and_wire!(@wire $meta $layout $wire [$($done)* $(#[$($fm)*])* pub $field: $wty,] $($rest)*);
    };
    (@wire $meta:tt $layout:ident $wire:ident [$($done:tt)*]
        $(#[$($fm:tt)*])* pub $field:ident : $lty:tt, $($rest:tt)*) => {
        $crate::wire::layout_and_wire!(@wire $meta $layout $wire [$($done)* $(#[$($fm)*])* pub $field: $lty,] $($rest)*);
    };

    // Conversions both ways, naming every field.
    (@convert $layout:ident $wire:ident [$($field:ident)*]) => {
        impl From<$layout> for $wire {
            fn from(value: $layout) -> Self {
                Self { $($field: $crate::wire::Twin::twin(value.$field),)* }
            }
        }
        impl From<$wire> for $layout {
            fn from(value: $wire) -> Self {
                Self { $($field: $crate::wire::Twin::twin(value.$field),)* }
            }
        }
        impl $crate::wire::Twin<$wire> for $layout {
            fn twin(self) -> $wire { self.into() }
        }
        impl $crate::wire::Twin<$layout> for $wire {
            fn twin(self) -> $layout { self.into() }
        }
    };
    (@convert $layout:ident $wire:ident [$($done:ident)*]
        $(#[$($fm:tt)*])* pub $field:ident : $lty:tt $(as $wty:tt)?, $($rest:tt)*) => {
        $crate::wire::layout_and_wire!(@convert $layout $wire [$($done)* $field] $($rest)*);
    };
}
pub(crate) use layout_and_wire;

#[cfg(test)]
mod tests {
    use crate::state::{ElevationGroup, ElevationGroupWire, MarketConfig, MarketConfigWire, ReserveConfig, ReserveConfigWire};
    use anchor_lang::AnchorSerialize;

    /// Every byte of the layout distinct, so a field out of order or mis-sized in the twin shows.
    fn patterned<T: bytemuck::Pod>() -> T {
        let bytes: Vec<u8> = (0..core::mem::size_of::<T>()).map(|i| (i * 7 + 1) as u8).collect();
        bytemuck::pod_read_unaligned(&bytes)
    }

    fn assert_twin<L, W>()
    where
        L: bytemuck::Pod + PartialEq + core::fmt::Debug + From<W>,
        W: AnchorSerialize + From<L> + Copy,
    {
        let layout: L = patterned();
        let wire = W::from(layout);
        let mut borsh = vec![];
        wire.serialize(&mut borsh).unwrap();
        assert_eq!(borsh, bytemuck::bytes_of(&layout), "{}: the wire twin's borsh is the layout's bytes", core::any::type_name::<L>());
        assert_eq!(L::from(wire), layout);
    }

    #[test]
    fn wire_twin_succeeds_encoding_to_the_layouts_bytes() {
        assert_twin::<ReserveConfig, ReserveConfigWire>();
        assert_twin::<MarketConfig, MarketConfigWire>();
        assert_twin::<ElevationGroup, ElevationGroupWire>();
    }
}
