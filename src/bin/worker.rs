//! The Web Worker's module: owns the device and the lab, and trains off the
//! page's thread so that the page never freezes.

fn main() {
    #[cfg(target_arch = "wasm32")]
    reasonlab::web::worker::start();
}
