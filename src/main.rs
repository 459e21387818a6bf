//! Bootdoctor's web page: a thin Yew layer over `bootdoctor-core`. Everything runs in the browser;
//! nothing dropped or pasted is sent anywhere.

mod app;
mod cause_page;
mod copy_button;
mod diagnosis;
mod file_tree;
mod paste;
mod report_view;
mod share_bar;
mod verdict_banner;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
