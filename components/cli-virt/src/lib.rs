//! `cli-virt`: the composer's answer to Rust std's stray `wasi:cli` imports.
//!
//! See `wit/cli-virt/world.wit` for why it exists. It must import nothing itself, and
//! Rust std would import the very interfaces this component stands in for, so on wasm32
//! it is `no_std`: panics trap, and its allocator refuses every request, because nothing
//! here allocates (it only returns empty lists and `none`). Whatever it imported would
//! face the composer's closed-world check like every other component's imports.

#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// An allocator for a component that never allocates: every request fails, which the
/// canonical ABI turns into a trap.
struct NoAlloc;

// SAFETY: returning null is always a valid answer from `alloc`; `dealloc` is never given
// a pointer because `alloc` never hands one out.
unsafe impl core::alloc::GlobalAlloc for NoAlloc {
    unsafe fn alloc(&self, _layout: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: core::alloc::Layout) {}
}

#[global_allocator]
static ALLOCATOR: NoAlloc = NoAlloc;

#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;

use bindings::exports::wasi::cli::{
    environment, exit, terminal_input, terminal_output, terminal_stderr, terminal_stdin,
    terminal_stdout,
};

/// Implements every exported interface.
struct Virt;

/// The never-constructed terminal input resource.
pub struct NoTerminalInput;
impl terminal_input::GuestTerminalInput for NoTerminalInput {}

/// The never-constructed terminal output resource.
pub struct NoTerminalOutput;
impl terminal_output::GuestTerminalOutput for NoTerminalOutput {}

impl environment::Guest for Virt {
    fn get_environment() -> Vec<(String, String)> {
        Vec::new()
    }

    fn get_arguments() -> Vec<String> {
        Vec::new()
    }

    fn initial_cwd() -> Option<String> {
        None
    }
}

impl exit::Guest for Virt {
    fn exit(_status: Result<(), ()>) {
        // Ending the instance is all a component may do; the host keeps running.
        core::arch::wasm32::unreachable()
    }
}

impl terminal_input::Guest for Virt {
    type TerminalInput = NoTerminalInput;
}

impl terminal_output::Guest for Virt {
    type TerminalOutput = NoTerminalOutput;
}

impl terminal_stdin::Guest for Virt {
    fn get_terminal_stdin() -> Option<terminal_input::TerminalInput> {
        None
    }
}

impl terminal_stdout::Guest for Virt {
    fn get_terminal_stdout() -> Option<terminal_output::TerminalOutput> {
        None
    }
}

impl terminal_stderr::Guest for Virt {
    fn get_terminal_stderr() -> Option<terminal_output::TerminalOutput> {
        None
    }
}

bindings::export!(Virt with_types_in bindings);
