//! The pasted error as the page holds it. The whole text stays a JavaScript string — never copied
//! into this thread's memory, never drawn in the error box when it is large — and travels to the
//! worker as it is (a structured clone); this thread reads only its head, for the highlighted
//! paste and the share link, which show no more.
//!
//! Why: copying a 20 MiB paste through Rust, JSON and back cost the page 1.3 s per edit, and
//! Chromium lays a textarea out at about 20 µs a line (a million lines froze the tab for 23 s).

use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};
use yew::AttrValue;

/// UTF-16 units of the head read on this thread: more than the report shows of a paste
/// (16 KiB) and than a share link carries of it.
pub const HEAD_UNITS: u32 = 20_000;

/// A paste longer than this (UTF-16 units) is held beside the error box, not drawn in it.
pub const HELD_UNITS: u32 = 256 << 10;

/// A paste of more lines than this is held beside the error box too.
pub const HELD_LINES: u32 = 2000;

/// A pasted error: the whole text, its head, and what the page needs to know of its size.
/// Two pastes are equal when they are the same edit ([`Paste::id`]), never by comparing texts.
#[derive(Clone, Debug)]
pub struct Paste {
    id: u64,
    text: JsString,
    head: AttrValue,
    units: u32,
    blank: bool,
    held: bool,
}

impl Default for Paste {
    fn default() -> Self {
        Paste::from_text("")
    }
}

impl Paste {
    /// A paste from a JavaScript value (a textarea's `value`, a clipboard's text); anything but a
    /// string is an empty paste.
    pub fn from_js(value: JsValue) -> Self {
        match value.dyn_into::<JsString>() {
            Ok(text) => Paste::from_js_string(text),
            Err(_) => Paste::default(),
        }
    }

    /// A paste from Rust text (an example chip).
    pub fn from_text(text: &str) -> Self {
        Paste::from_js_string(JsString::from(text))
    }

    fn from_js_string(text: JsString) -> Self {
        thread_local! {
            static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
        }
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let units = text.length();
        let head = AttrValue::from(String::from(text.slice(0, HEAD_UNITS.min(units))));
        let blank = text.trim().length() == 0;
        let held = units > HELD_UNITS || more_breaks_than(&text, HELD_LINES);
        Paste { id, text, head, units, blank, held }
    }

    /// Distinguishes this edit of the paste from every other.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The whole text, for the worker.
    pub fn text(&self) -> &JsString {
        &self.text
    }

    /// Its first [`HEAD_UNITS`] UTF-16 units, as text.
    pub fn head(&self) -> AttrValue {
        self.head.clone()
    }

    /// Its length in UTF-16 units (about characters).
    pub fn units(&self) -> u32 {
        self.units
    }

    /// Nothing but white space.
    pub fn is_blank(&self) -> bool {
        self.blank
    }

    /// Too large to draw in the error box: shown as a line beside it instead.
    pub fn is_held(&self) -> bool {
        self.held
    }
}

impl PartialEq for Paste {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// Whether `text` has more than `limit` line breaks (LF or CR), looking no further than needed.
fn more_breaks_than(text: &JsString, limit: u32) -> bool {
    let mut breaks = 0;
    for mark in ["\n", "\r"] {
        let mut from = 0;
        loop {
            let at = text.index_of(mark, from);
            if at < 0 {
                break;
            }
            breaks += 1;
            if breaks > limit {
                return true;
            }
            from = at + 1;
        }
    }
    false
}
