//! Lessons: narrated scenario scripts in two languages, one small text file
//! each (`www/lessons/*.lesson`, format in `www/lessons/README.md`). Pure
//! parsing and checking; the page plays them.
//!
//! ```text
//! id first-sync
//! title.en First sync is a full sync
//! title.zh 第一次同步是全量复制
//! intro.en What this lesson shows.
//! intro.zh 本课要点。
//!
//! step
//! say.en Start a master.           (repeatable; lines are joined)
//! say.zh 启动一个主节点。
//! show topology info               (panels to highlight)
//! select 6379                      (the node whose panels are shown)
//! run seed 1                       (scenario lines, as the CLI runs them)
//! run node 6379
//! check Ready to accept connections (the transcript must contain it)
//! ask.en Which node is the master?
//! ask.zh 哪个是主节点？
//! choice 6379 | 6379               (English | Chinese)
//! choice* 6380 | 6380              (`choice*` marks the right answer)
//! why.en Because ...
//! why.zh 因为……
//! ```

use super::net::Port;
use super::scenario::parse_line;

/// The panels a step may highlight, by name.
pub const PANELS: [&str; 12] =
    ["topology", "traffic", "phases", "backlog", "psync", "console", "info", "log", "config", "node", "timeline", "load"];

/// A text in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh: String,
}

impl Text {
    /// The text in `lang` (`"zh"` or anything else for English).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "zh" { &self.zh } else { &self.en }
    }

    fn add(&mut self, lang: &str, line: &str) {
        let slot = if lang == "zh" { &mut self.zh } else { &mut self.en };
        if !slot.is_empty() {
            // Chinese runs on without spaces; English words need one.
            if lang != "zh" {
                slot.push(' ');
            }
        }
        slot.push_str(line);
    }

    fn complete(&self) -> bool {
        !self.en.is_empty() && !self.zh.is_empty()
    }
}

/// A multiple-choice question.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Question {
    /// The question.
    pub ask: Text,
    /// The choices, in order.
    pub choices: Vec<Text>,
    /// Index of the right choice.
    pub answer: usize,
    /// The explanation shown after answering.
    pub why: Text,
}

/// One step of a lesson.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// What to watch, in both languages.
    pub say: Text,
    /// Panels to highlight (names from [`PANELS`]).
    pub show: Vec<String>,
    /// The node whose panels to show.
    pub select: Option<Port>,
    /// Scenario lines the step runs.
    pub run: Vec<String>,
    /// Texts the step's transcript must contain (checked by the native
    /// tests, so the narration's numbers stay true to the engine).
    pub checks: Vec<String>,
    /// An optional question.
    pub question: Option<Question>,
}

/// A lesson.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lesson {
    /// Short id (`[a-z0-9-]+`), used in links.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Introduction shown before the first step.
    pub intro: Text,
    /// The steps.
    pub steps: Vec<Step>,
}

/// A malformed lesson: the line (1-based, 0 for the whole file) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// Line number, from 1 (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// True for a valid lesson id.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Splits `key.lang rest` into (key, lang).
fn lang_key(key: &str) -> Option<(&str, &'static str)> {
    let (k, l) = key.split_once('.')?;
    let lang = match l {
        "en" => "en",
        "zh" => "zh",
        _ => return None,
    };
    Some((k, lang))
}

/// Parses and checks one lesson file.
pub fn parse(text: &str) -> Result<Lesson, LessonError> {
    let mut lesson = Lesson::default();
    let mut step: Option<Step> = None;
    let err = |line: usize, message: String| LessonError { line, message };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line.split_once(char::is_whitespace).map_or((line, ""), |(k, r)| (k, r.trim()));
        match (key, step.as_mut()) {
            ("id", None) if valid_id(rest) => lesson.id = rest.to_string(),
            ("id", None) => return Err(err(n, format!("'{rest}' is not an id (lowercase letters, digits, '-')"))),
            ("step", _) => {
                if let Some(done) = step.take() {
                    lesson.steps.push(check_step(done, n)?);
                }
                step = Some(Step::default());
            }
            ("show", Some(s)) => {
                for name in rest.split_whitespace() {
                    if !PANELS.contains(&name) {
                        return Err(err(n, format!("unknown panel '{name}' (known: {})", crate::engine::text::join(&PANELS, ", "))));
                    }
                    s.show.push(name.to_string());
                }
            }
            ("select", Some(s)) => s.select = Some(super::text::uint(rest).ok_or_else(|| err(n, format!("'{rest}' is not a port")))?),
            ("run", Some(s)) => match parse_line(rest) {
                Ok(Some(_)) => s.run.push(rest.to_string()),
                Ok(None) => return Err(err(n, "run needs a scenario line".into())),
                Err(e) => return Err(err(n, format!("bad scenario line: {e}"))),
            },
            ("check", Some(s)) if !rest.is_empty() => s.checks.push(rest.to_string()),
            ("choice" | "choice*", Some(s)) => {
                let (en, zh) = rest.split_once('|').ok_or_else(|| err(n, "a choice is 'English | Chinese'".into()))?;
                let q = s.question.get_or_insert_with(Question::default);
                if key == "choice*" {
                    q.answer = q.choices.len();
                }
                q.choices.push(Text { en: en.trim().to_string(), zh: zh.trim().to_string() });
            }
            (k, s) => {
                let Some((name, lang)) = lang_key(k) else { return Err(err(n, format!("unknown key '{k}'"))) };
                if rest.is_empty() {
                    return Err(err(n, format!("{k} needs text")));
                }
                let in_step = s.is_some();
                let target = match (name, s) {
                    ("title", None) => &mut lesson.title,
                    ("intro", None) => &mut lesson.intro,
                    ("say", Some(s)) => &mut s.say,
                    ("ask", Some(s)) => &mut s.question.get_or_insert_with(Question::default).ask,
                    ("why", Some(s)) => &mut s.question.get_or_insert_with(Question::default).why,
                    _ => return Err(err(n, format!("'{k}' does not belong {}", if in_step { "in a step" } else { "before the first step" }))),
                };
                target.add(lang, rest);
            }
        }
    }
    let end = text.lines().count();
    if let Some(done) = step.take() {
        lesson.steps.push(check_step(done, end)?);
    }
    if lesson.id.is_empty() {
        return Err(err(0, "the lesson needs an id".into()));
    }
    if !lesson.title.complete() || !lesson.intro.complete() {
        return Err(err(0, "title and intro need both .en and .zh".into()));
    }
    if lesson.steps.is_empty() {
        return Err(err(0, "the lesson has no steps".into()));
    }
    Ok(lesson)
}

/// Checks a finished step; `line` is where the next one starts.
fn check_step(step: Step, line: usize) -> Result<Step, LessonError> {
    let err = |message: &str| Err(LessonError { line, message: format!("the step before this line {message}") });
    if !step.say.complete() {
        return err("needs say.en and say.zh");
    }
    if let Some(q) = &step.question {
        if !q.ask.complete() || !q.why.complete() {
            return err("asks a question without ask.en/zh and why.en/zh");
        }
        if q.choices.len() < 2 || q.choices.iter().any(|c| !c.complete()) {
            return err("needs two or more choices, each 'English | Chinese'");
        }
    }
    Ok(step)
}

/// Counts the `choice*` lines of each question in `text` (a question needs
/// exactly one); returns the first line of a step where that is not so.
pub fn check_answers(text: &str) -> Result<(), LessonError> {
    let (mut stars, mut choices, mut start) = (0, 0, 0);
    let check = |stars: usize, choices: usize, start: usize| {
        if choices > 0 && stars != 1 {
            return Err(LessonError { line: start, message: format!("a question needs exactly one 'choice*', this one has {stars}") });
        }
        Ok(())
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line == "step" {
            check(stars, choices, start)?;
            (stars, choices, start) = (0, 0, i + 1);
        } else if line.starts_with("choice* ") {
            stars += 1;
            choices += 1;
        } else if line.starts_with("choice ") {
            choices += 1;
        }
    }
    check(stars, choices, start)
}

/// Parses a lesson and checks its answers: what the page and tests use.
pub fn load(text: &str) -> Result<Lesson, LessonError> {
    check_answers(text)?;
    parse(text)
}

/// The file names an index lists (`index.txt`: one a line, `#` comments).
pub fn index(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| l.ends_with(".lesson") && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'))
        .map(String::from)
        .collect()
}

/// The lessons of the bundle the build writes (`lessons.txt`: each file of
/// `index.txt`, in order, after a `%% NAME` line), as (file name, file
/// text) pairs. Text before the first `%% ` line is not a lesson: none.
pub fn unbundle(text: &str) -> Vec<(&str, &str)> {
    let mut parts = crate::engine::text::split(text, "\n%% ");
    let Some(first) = parts.next().and_then(|p| p.strip_prefix("%% ")) else { return Vec::new() };
    let mut files = Vec::new();
    let mut part = Some(first);
    while let Some(p) = part {
        files.push(p.split_once('\n').map_or((p.trim(), ""), |(name, body)| (name.trim(), body)));
        part = parts.next();
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id demo\ntitle.en Demo\ntitle.zh 演示\nintro.en Hi.\nintro.zh 你好。\n\nstep\nsay.en Start\nsay.en a master.\nsay.zh 启动\nsay.zh 主节点。\nshow topology info\nselect 6379\nrun seed 1\nrun node 6379\nrun 6379> SET a \"<script>\"\ncheck OK\nask.en Which?\nask.zh 哪个？\nchoice A | 甲\nchoice* B | 乙\nwhy.en Because.\nwhy.zh 因为。\nstep\nsay.en Wait.\nsay.zh 等待。\nrun wait 1s\n";

    #[test]
    fn a_lesson_parses_into_steps() {
        let l = load(GOOD).unwrap();
        assert_eq!(l.id, "demo");
        assert_eq!(l.title.get("zh"), "演示");
        assert_eq!(l.steps.len(), 2);
        let s = &l.steps[0];
        assert_eq!(s.say.en, "Start a master.");
        assert_eq!(s.say.zh, "启动主节点。");
        assert_eq!(s.show, vec!["topology", "info"]);
        assert_eq!(s.select, Some(6379));
        assert_eq!(s.run, vec!["seed 1", "node 6379", "6379> SET a \"<script>\""]);
        assert_eq!(s.checks, vec!["OK"]);
        let q = s.question.as_ref().unwrap();
        assert_eq!(q.answer, 1);
        assert_eq!(q.choices[1].zh, "乙");
        assert!(l.steps[1].question.is_none());
    }

    #[test]
    fn mistakes_name_their_line() {
        let bad_run = GOOD.replace("run wait 1s", "run wait forever");
        assert_eq!(load(&bad_run).unwrap_err().line, 27);
        assert!(load(&GOOD.replace("show topology info", "show nowhere")).unwrap_err().message.contains("unknown panel"));
        assert!(load(&GOOD.replace("say.zh 等待。\n", "")).unwrap_err().message.contains("say.en and say.zh"));
        assert!(load(&GOOD.replace("choice* B", "choice B")).unwrap_err().message.contains("exactly one"));
        assert!(load(&GOOD.replace("id demo", "id Demo!")).is_err());
        assert!(load(&GOOD.replace("title.zh 演示\n", "")).is_err());
        assert!(load("id x\n").is_err());
        assert!(load(&GOOD.replace("choice A | 甲", "choice A")).is_err());
    }

    #[test]
    fn a_bundle_splits_into_its_files() {
        let b = unbundle("%% 01-a.lesson\nid a\n# %% not a mark\n\n%% 02-b.lesson\r\nid b\n");
        assert_eq!(b, vec![("01-a.lesson", "id a\n# %% not a mark\n"), ("02-b.lesson", "id b\n")]);
        assert_eq!(unbundle("<!doctype html>\n%% 01-a.lesson\n"), vec![]);
        assert_eq!(unbundle("%% 01-a.lesson"), vec![("01-a.lesson", "")]);
    }

    #[test]
    fn the_index_lists_lesson_files_only() {
        assert_eq!(index("# order\n01-a.lesson\n\n../etc/passwd\nb.txt\n02-b.lesson\n"), vec!["01-a.lesson", "02-b.lesson"]);
    }
}
