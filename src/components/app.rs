//! The page: the YAML editor beside what podplay reads from it.

use yew::prelude::*;

use super::editor::Editor;
use super::objects::ObjectList;
use super::run::RunView;
use crate::model::{read, Reading};

#[function_component(App)]
pub fn app() -> Html {
    let text = use_state(|| podplay_engine::examples::TWO_CONTAINER_POD.to_string());
    // Parse only when the text changes, not on every render. The page reads the wall clock
    // here, at the edge, for the AGE of pods pasted with their status.
    let reading = use_memo((*text).clone(), |t| read(t, wall_clock()));
    let on_change = {
        let text = text.clone();
        Callback::from(move |value: String| text.set(value))
    };
    html! {
        <main class="page">
            <header>
                <h1>{ "podplay" }</h1>
                <p class="tagline">{ "Edit a pod spec; see what Kubernetes makes of it." }</p>
            </header>
            <section class="workspace">
                <Editor text={(*text).clone()} {on_change} />
                <section class="reading" aria-live="polite">
                    {
                        match &*reading {
                            Reading::Objects(objects, run) => html! {
                                <>
                                    <ObjectList objects={objects.clone()} />
                                    if let Some(run) = run {
                                        <RunView run={run.clone()} />
                                    }
                                </>
                            },
                            Reading::Error { message, line } => html! {
                                <div id="error" class="error" role="alert" data-line={line.map(|l| l.to_string())}>
                                    <strong>{ "error: " }</strong>{ message.clone() }
                                </div>
                            },
                        }
                    }
                </section>
            </section>
        </main>
    }
}

/// The browser's clock as a timestamp (milliseconds since the epoch).
fn wall_clock() -> crate::model::Timestamp {
    let ms = js_sys::Date::now() as i64;
    crate::model::Timestamp::from_millisecond(ms).unwrap_or(crate::model::Timestamp::UNIX_EPOCH)
}
