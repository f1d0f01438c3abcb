//! The objects read from the editor: each pod's containers and volumes.

use podplay_engine::api::summary::ContainerSummary;
use yew::prelude::*;

use crate::model::{Answer, ObjectReading};

#[derive(Properties, PartialEq)]
pub struct ObjectListProps {
    pub objects: Vec<ObjectReading>,
}

#[function_component(ObjectList)]
pub fn object_list(props: &ObjectListProps) -> Html {
    html! {
        <div id="objects">
            { for props.objects.iter().map(object) }
        </div>
    }
}

fn object(reading: &ObjectReading) -> Html {
    let o = &reading.summary;
    let (class, text) = match &reading.answer {
        Answer::Created(line) => ("answer created", line),
        Answer::Refused(line) => ("answer refused", line),
    };
    html! {
        <article class="object">
            <h2><span class="kind">{ o.kind }</span>{ " " }<span class="name">{ &o.name }</span></h2>
            <pre class={class}>{ text }</pre>
            if let Some(status) = &reading.status {
                <pre class="kubectl-get pod-status">{ &status.table }</pre>
                <p class="phase">{ "The kubelet would report phase " }<strong>{ &status.phase }</strong>{ "." }</p>
                <ul class="why">
                    { for status.explanation.iter().map(|r| html! { <li>{ r }</li> }) }
                </ul>
            }
            if !reading.warnings.is_empty() {
                <ul class="warnings">
                    { for reading.warnings.iter().map(|w| html! { <li class="warning">{ format!("Warning: {w}") }</li> }) }
                </ul>
            }
            if let Some(pod) = &o.pod {
                { containers("Init containers", "init-containers", &pod.init_containers) }
                { containers("Containers", "containers", &pod.containers) }
                if !pod.volumes.is_empty() {
                    <h3>{ "Volumes" }</h3>
                    <ul class="volumes">
                        { for pod.volumes.iter().map(|v| html! {
                            <li class="volume"><code class="volume-name">{ &v.name }</code>{ " " }<span class="source">{ v.source }</span></li>
                        }) }
                    </ul>
                }
            }
        </article>
    }
}

fn containers(title: &str, class: &'static str, list: &[ContainerSummary]) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <>
            <h3>{ title }</h3>
            <ul class={class}>
                { for list.iter().map(|c| html! {
                    <li class="container">
                        <code class="container-name">{ &c.name }</code>{ " " }
                        <span class="image">{ &c.image }</span>
                        if !c.mounts.is_empty() {
                            <ul class="mounts">
                                { for c.mounts.iter().map(|(v, p)| html! { <li>{ format!("{v} → {p}") }</li> }) }
                            </ul>
                        }
                    </li>
                }) }
            </ul>
        </>
    }
}
