//! Drawing a long list a slice per task: the first slice with the rest of the report, each further
//! slice in a task of its own, so that no one task blocks the page for long and what is above the
//! list paints first.
//!
//! Why: the benchmark package's report was about 2,100 elements (100 file rows, 32 finding cards),
//! drawn in one task of 88–129 ms on 2 cores; the target is 50 ms.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How many of `wanted` items to draw now, for the list identified by `key`: `first` when the
/// list is new (`key` changed by value), then `step` more in each following task until all are
/// drawn. A list whose key compares equal (a report rebuilt for an edit of the paste, say) keeps
/// what it had drawn: nothing flickers.
#[hook]
pub fn use_drawn_in_slices<K>(key: K, wanted: usize, first: usize, step: usize) -> usize
where
    K: PartialEq + Clone + 'static,
{
    let drawn = use_state(|| (key.clone(), first));
    let now = if drawn.0 == key { drawn.1 } else { first }.min(wanted);
    {
        let drawn = drawn.clone();
        use_effect_with((key, now, wanted), move |(key, now, wanted)| {
            let next = (now < wanted).then(|| {
                let (key, count) = (key.clone(), now + step.max(1));
                Timeout::new(0, move || drawn.set((key, count)))
            });
            move || drop(next)
        });
    }
    now
}
