//! The YAML editor. The text lives in the parent's state, so a parse error never touches it.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub text: String,
    pub on_change: Callback<String>,
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit(area.value());
        })
    };
    html! {
        <label class="editor">
            <span class="label">{ "Pod spec (YAML or JSON)" }</span>
            <textarea id="editor" spellcheck="false" autocomplete="off" wrap="off"
                value={props.text.clone()} {oninput} />
        </label>
    }
}
