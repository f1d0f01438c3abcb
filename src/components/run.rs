//! The pod's first minutes as the lifecycle engine plays them: `kubectl get pods -w` and
//! `kubectl get events`, and the containers' logs and execs, in virtual time.

use yew::prelude::*;

use crate::model::RunReading;

#[derive(Properties, PartialEq)]
pub struct RunViewProps {
    pub run: RunReading,
}

#[function_component(RunView)]
pub fn run_view(props: &RunViewProps) -> Html {
    let run = &props.run;
    html! {
        <section id="run" class="run">
            <h2>{ format!("The first {} (virtual time)", run.duration) }</h2>
            <h3><code>{ "kubectl get pods -w" }</code></h3>
            <pre class="kubectl-get watch">{ &run.watch }</pre>
            <h3><code>{ "kubectl get events" }</code></h3>
            <pre class="kubectl-get events">{ &run.events }</pre>
            <h3><code>{ "kubectl logs --prefix" }</code></h3>
            <pre class="logs">{ &run.logs }</pre>
        </section>
    }
}
