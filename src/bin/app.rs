//! The page's own module: DOM, controls, URL state and charts. No burn in here,
//! so it stays small; training happens in the worker module.

fn main() {
    #[cfg(target_arch = "wasm32")]
    reasonlab::web::app::start();
}
