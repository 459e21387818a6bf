//! The colour theme: the system's (`prefers-color-scheme`) unless the user picks light or dark,
//! which is remembered in `localStorage` and set as `data-theme` on `<html>` (the stylesheet's
//! `color-scheme` follows it).

use yew::prelude::*;

/// The `localStorage` key of the chosen theme.
const KEY: &str = "bootdoctor.theme";

/// A theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system.
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The remembered choice (auto when none, or when storage is unavailable).
    fn stored() -> Theme {
        match storage().and_then(|s| s.get_item(KEY).ok().flatten()).as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    /// The choice after this one, for the toggle: auto → dark → light → auto.
    fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Auto,
        }
    }

    /// The `data-theme` value (none for auto).
    fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::Auto => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    /// The toggle's words.
    fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

/// The page's `localStorage`, when the browser allows it (private modes may not).
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Sets `theme` on `<html>` and remembers it.
fn apply(theme: Theme) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    let store = storage();
    match theme.attribute() {
        Some(value) => {
            let _ = root.set_attribute("data-theme", value);
            if let Some(s) = store {
                let _ = s.set_item(KEY, value);
            }
        }
        None => {
            let _ = root.remove_attribute("data-theme");
            if let Some(s) = store {
                let _ = s.remove_item(KEY);
            }
        }
    }
}

/// A button that cycles the theme: system, dark, light.
#[function_component(ThemeToggle)]
pub fn theme_toggle() -> Html {
    let theme = use_state(Theme::stored);
    use_effect_with(*theme, |t| apply(*t));
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_| theme.set(theme.next()))
    };
    html! {
        <button type="button" class="chip theme-toggle" data-theme-toggle={theme.attribute().unwrap_or("auto")}
            title="Colour theme: follows your system until you choose" {onclick}>{ theme.label() }</button>
    }
}
