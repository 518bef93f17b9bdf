//! What a `no_std` fusebox component needs from its platform, written once.
//!
//! fusebox's components are `no_std` on wasm32. Rust's std would give each one its own
//! copy of std's I/O, environment and panic machinery (33 to 41 KB per component). It
//! would also import `wasi:cli/environment`, `exit` and `terminal-*`, which the
//! `wasi:http/proxy` world does not have. Without std, three things must come from
//! somewhere else, and this crate provides them on wasm32:
//! - a global allocator: dlmalloc, the one Rust's own wasm targets use;
//! - a panic handler: a panic traps, which ends the instance (the host answers 500);
//! - `cabi_realloc`: the canonical ABI's allocation entry point, through which the
//!   caller hands the component strings and lists. On wasm32-wasip2 wit-bindgen expects
//!   wasi-libc to export it, and without std there is no wasi-libc;
//! - `memcmp`, the one libc routine that compiled Rust still calls here (for slice and
//!   string comparison). compiler_builtins supplies the other memory routines.
//!
//! A component links it by naming it once at its crate root:
//!
//! ```ignore
//! #![cfg_attr(target_arch = "wasm32", no_std)]
//! #[cfg(target_arch = "wasm32")]
//! extern crate fusebox_guest;
//! ```
//!
//! Natively the crate is empty, so the component crates' logic builds and tests with std.

#![no_std]

#[cfg(target_arch = "wasm32")]
mod wasm {
    extern crate alloc;

    use alloc::alloc::{Layout, alloc, realloc};

    #[global_allocator]
    static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }

    /// Allocate (`old_len == 0`) or grow a block for the canonical ABI, trapping when
    /// memory runs out, as wasi-libc's `cabi_realloc` does.
    ///
    /// # Safety
    ///
    /// Called only by the component's caller, per the canonical ABI: `align` is a power
    /// of two, and a non-zero `old_len` describes a block this function returned.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn cabi_realloc(
        old_ptr: *mut u8,
        old_len: usize,
        align: usize,
        new_len: usize,
    ) -> *mut u8 {
        if old_len == 0 && new_len == 0 {
            // A zero-sized allocation: any aligned, non-null address will do.
            return align as *mut u8;
        }
        // SAFETY: the canonical ABI guarantees a valid alignment and, when growing, a
        // block from this allocator with this layout.
        let ptr = unsafe {
            if old_len == 0 {
                alloc(Layout::from_size_align_unchecked(new_len, align))
            } else {
                realloc(
                    old_ptr,
                    Layout::from_size_align_unchecked(old_len, align),
                    new_len,
                )
            }
        };
        if ptr.is_null() {
            core::arch::wasm32::unreachable()
        }
        ptr
    }

    /// Compare `n` bytes, as C's `memcmp`: negative, zero or positive as `a` sorts before,
    /// equal to or after `b`.
    ///
    /// # Safety
    ///
    /// `a` and `b` must be valid for reads of `n` bytes (compiled code guarantees it).
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        for i in 0..n {
            // SAFETY: the caller guarantees both ranges are readable.
            let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
        }
        0
    }
}
