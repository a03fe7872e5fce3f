//! The lesson panel: pick a lesson, read each step's narration in the
//! page's language, step forward and back, answer its question. A lesson
//! step is journaled as a `# @step K` marker followed by the step's
//! scenario lines, so rewinding, share links and export all work on lessons
//! as on free play.

use super::sig::sig;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::{App, FIRST_PORT};
use super::dom::{attr, button, child, clear};
use super::i18n::{lang, t, tf, S};
use crate::engine::lesson::{Lesson, Step};

/// The lesson panel: heading, lesson picker, body (see [`super::tree`]).
const LESSON: &str = "
section.panel.lesson-panel#lesson aria-labelledby=lesson-heading @lesson
  div.lesson-head
    h2#lesson-heading %
    label.field
      span.field-name.sr-only %
      select#lesson-select data-action=lesson @lesson-select
        option value selected %
  div.lesson-body#lesson-body @lesson-body
";

/// Builds the lesson panel (its picker offers the lessons once loaded).
pub fn build(parent: &Element, els: &mut super::tree::Els) {
    super::tree::build(parent, LESSON, &[S::LessonTitle, S::LessonPick, S::LessonFree], els);
}

impl App {
    /// The lesson the journal is in (up to the cursor) and its last step (0: intro).
    pub fn lesson_state(&self) -> (Option<String>, usize) {
        let (mut id, mut step) = (None, 0);
        for e in &self.journal[..self.cursor] {
            if let Some(rest) = e.line.strip_prefix("# @lesson ") {
                id = Some(rest.trim().to_string());
                step = 0;
            } else if let Some(k) = e.line.strip_prefix("# @step ") {
                step = crate::engine::text::uint(k.trim()).unwrap_or(step);
            }
        }
        (id, step)
    }

    /// The lesson with this id, if loaded.
    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    /// Starts a lesson from its introduction, in an empty world.
    pub fn start_lesson(&mut self, id: &str) {
        if self.lesson(id).is_none() {
            return;
        }
        self.new_world();
        self.act(&format!("# @lesson {id}"));
        self.playing = false;
        self.after_step();
    }

    /// Runs the next step of the lesson.
    pub fn next_step(&mut self) {
        let (Some(id), k) = self.lesson_state() else { return };
        let Some(run) = self.lesson(&id).and_then(|l| l.steps.get(k)).map(|s| s.run.clone()) else { return };
        self.act(&format!("# @step {}", k + 1));
        self.run_lines(&run);
        self.playing = false;
        self.after_step();
    }

    /// Goes back to the state before the current step.
    pub fn prev_step(&mut self) {
        let Some(i) = self.journal[..self.cursor].iter().rposition(|e| e.line.starts_with("# @step ")) else { return };
        let at = self.journal[i].at;
        self.journal.truncate(i);
        self.rebuild(i, at);
        self.head_ms = at;
        self.playing = false;
        self.after_step();
    }

    /// Opens the lesson the URL asked for, once the lessons are here.
    pub fn after_lessons_loaded(&mut self) {
        if let Some(id) = self.pending_lesson.take() {
            self.start_lesson(&id);
        }
        self.view.sigs.borrow_mut().remove("lesson");
    }

    /// Selects the node the current step names and announces the step.
    fn after_step(&mut self) {
        let (Some(id), k) = self.lesson_state() else { return };
        let Some(lesson) = self.lesson(&id) else { return };
        let step: Option<&Step> = k.checked_sub(1).and_then(|i| lesson.steps.get(i));
        let text = match step {
            Some(s) => format!("{} {}", tf(S::SayStep, &[&k]), s.say.get(lang().code())),
            None => lesson.title.get(lang().code()).to_string(),
        };
        // The step's node, or the last one an earlier step selected.
        let mut port = None;
        for s in &lesson.steps[..k.min(lesson.steps.len())] {
            port = s.select.or(port);
        }
        self.announcer.say(text);
        self.selected = port.filter(|p| self.ports.contains(p)).or_else(|| self.ports.first().copied()).unwrap_or(FIRST_PORT);
    }
}

/// Lesson buttons: the picker, next, previous, an answer.
pub fn act(app: &mut App, action: &str, el: &Element, value: &str) {
    match action {
        "lesson" if value.is_empty() => app.reset(app.seed),
        "lesson" => app.start_lesson(value),
        "lesson-next" => app.next_step(),
        "lesson-prev" => app.prev_step(),
        "answer" => {
            let (Some(id), k) = app.lesson_state() else { return };
            if let Some(choice) = el.get_attribute("data-choice").and_then(|c| crate::engine::text::uint(&c)) {
                match app.answers.iter_mut().find(|a| a.0 == id && a.1 == k) {
                    Some(a) => a.2 = choice,
                    None => app.answers.push((id, k, choice)),
                }
            }
        }
        _ => {}
    }
}

/// Highlights: panel name → the element id it lights up.
fn panel_id(name: &str) -> &'static str {
    match name {
        "topology" | "traffic" | "psync" => "stage",
        "phases" => "phases",
        "backlog" => "backlog",
        "console" => "console",
        "info" => "info",
        "log" => "logs",
        "config" => "config",
        "node" => "node-panel",
        "timeline" => "timeline-field",
        _ => "load",
    }
}

/// Draws the lesson panel and the highlights of the current step.
pub fn render(app: &App) -> Result<(), JsValue> {
    let (id, k) = app.lesson_state();
    let lesson = id.as_deref().and_then(|i| app.lesson(i));
    let answer = id.as_ref().and_then(|i| app.answers.iter().find(|a| a.0 == *i && a.1 == k)).map(|a| a.2);
    let sig = sig(&(&id, k, answer, app.lessons.len(), &app.lessons_error, app.ports.len()));
    if !app.view.changed("lesson", sig) {
        return Ok(());
    }
    let sel = app.view.get("lesson-select");
    if sel.child_element_count() as usize != app.lessons.len() + 1 {
        clear(sel);
        attr(&child(sel, "option", "", t(S::LessonFree)), "value", "");
        for (i, l) in app.lessons.iter().enumerate() {
            attr(&child(sel, "option", "", &format!("{}. {}", i + 1, l.title.get(lang().code()))), "value", &l.id);
        }
    }
    super::dom::set_value(sel, id.as_deref().unwrap_or(""));
    let body = app.view.get("lesson-body");
    clear(body);
    super::dom::set_class(&app.view.root, "in-lesson", lesson.is_some());
    highlight(app, &[])?;
    if let Some(e) = &app.lessons_error {
        child(body, "p", "muted", &tf(S::LessonLoadFailed, &[e]));
    } else if app.lessons.is_empty() {
        child(body, "p", "muted", t(S::LessonLoading));
    }
    let Some(lesson) = lesson else { return Ok(()) };
    let code = lang().code();
    child(body, "h3", "lesson-title", lesson.title.get(code));
    let n = lesson.steps.len();
    let progress = if k == 0 { t(S::LessonIntro).to_string() } else { tf(S::LessonStep, &[&k, &n]) };
    let p = child(body, "p", "lesson-progress", &progress);
    attr(&p, "id", "lesson-progress");
    attr(&p, "data-step", &k.to_string());
    let say = child(body, "div", "lesson-say", "");
    attr(&say, "id", "lesson-say");
    let step = k.checked_sub(1).and_then(|i| lesson.steps.get(i));
    match step {
        None => {
            child(&say, "p", "", lesson.intro.get(code));
            child(&say, "p", "muted", t(S::LessonBegin));
        }
        Some(s) => {
            child(&say, "p", "", s.say.get(code));
            if !s.show.is_empty() {
                let mut names = Vec::with_capacity(s.show.len());
                for n in &s.show {
                    names.push(S::panel(n).map_or(n.as_str(), |p| t(p)));
                }
                child(&say, "p", "lesson-watch", &format!("{} {}", t(S::LessonWatch), crate::engine::text::join(&names, lang_sep())));
                highlight(app, &s.show)?;
            }
            if k == n {
                child(&say, "p", "muted", t(S::LessonDone));
            }
        }
    }
    if let Some(q) = step.and_then(|s| s.question.as_ref()) {
        let box_ = child(body, "div", "lesson-question", "");
        attr(&box_, "id", "lesson-question");
        attr(&box_, "role", "group");
        attr(&box_, "aria-labelledby", "lesson-ask");
        attr(&child(&box_, "p", "lesson-ask", &format!("{} · {}", t(S::LessonQuestion), q.ask.get(code))), "id", "lesson-ask");
        let row = child(&box_, "div", "choices", "");
        for (i, c) in q.choices.iter().enumerate() {
            let mark = match answer {
                Some(_) if i == q.answer => "✓ ",
                Some(a) if a == i => "✗ ",
                _ => "",
            };
            let b = button(&row, "answer", &format!("{mark}{}", c.get(code)));
            attr(&b, "data-choice", &i.to_string());
            attr(&b, "aria-pressed", if answer == Some(i) { "true" } else { "false" });
            if answer.is_some() && i == q.answer {
                super::dom::set_class(&b, "right", true);
            }
        }
        if let Some(a) = answer {
            let verdict = if a == q.answer { t(S::LessonRight) } else { t(S::LessonWrong) };
            let fb = child(&box_, "p", if a == q.answer { "feedback right" } else { "feedback wrong" }, &format!("{verdict} {}", q.why.get(code)));
            attr(&fb, "id", "lesson-feedback");
            attr(&fb, "role", "status");
        }
    }
    let nav = child(body, "div", "buttons lesson-nav", "");
    let prev = button(&nav, "lesson-prev", t(S::LessonPrev));
    attr(&prev, "id", "lesson-prev");
    if k == 0 {
        attr(&prev, "disabled", "");
    }
    let next = button(&nav, "lesson-next", t(S::LessonNext));
    attr(&next, "id", "lesson-next");
    if k >= n {
        attr(&next, "disabled", "");
    }
    Ok(())
}

/// The separator for a list of panel names.
fn lang_sep() -> &'static str {
    if lang() == super::i18n::Lang::Zh { "、" } else { ", " }
}

/// Lights up the named panels (a dashed outline and a label: never colour alone).
fn highlight(app: &App, names: &[String]) -> Result<(), JsValue> {
    let lit = super::dom::query_all(&app.view.root, "[data-hl]");
    for i in 0..lit.length() {
        if let Some(e) = lit.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<Element>(n).ok()) {
            super::dom::remove_attr(&e, "data-hl");
        }
    }
    for name in names {
        if let Some(e) = super::dom::query(&app.view.root, &format!("#{}", panel_id(name))) {
            attr(&e, "data-hl", t(S::LessonLook));
        }
    }
    Ok(())
}
