//! Colours for the terminal, decided once: `--color`, `NO_COLOR` and whether stdout is a terminal.

use std::fmt::Display;
use std::io::IsTerminal;

use owo_colors::OwoColorize;

use crate::cli::ColorChoice;

/// Whether output is coloured, and how each kind of text looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub enabled: bool,
}

impl Style {
    pub fn for_stdout(choice: ColorChoice) -> Style {
        Self::decide(choice, std::io::stdout().is_terminal())
    }

    pub fn for_stderr(choice: ColorChoice) -> Style {
        Self::decide(choice, std::io::stderr().is_terminal())
    }

    fn decide(choice: ColorChoice, terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Style { enabled }
    }

    fn paint(&self, text: impl Display, f: impl Fn(&str) -> String) -> String {
        let text = text.to_string();
        if self.enabled { f(&text) } else { text }
    }

    pub fn good(&self, text: impl Display) -> String {
        self.paint(text, |t| t.green().to_string())
    }

    pub fn bad(&self, text: impl Display) -> String {
        self.paint(text, |t| t.red().to_string())
    }

    pub fn warn(&self, text: impl Display) -> String {
        self.paint(text, |t| t.yellow().to_string())
    }

    pub fn dim(&self, text: impl Display) -> String {
        self.paint(text, |t| t.dimmed().to_string())
    }

    pub fn strong(&self, text: impl Display) -> String {
        self.paint(text, |t| t.bold().to_string())
    }

    pub fn removed(&self, text: impl Display) -> String {
        self.paint(text, |t| t.on_red().white().to_string())
    }

    pub fn added(&self, text: impl Display) -> String {
        self.paint(text, |t| t.on_green().black().to_string())
    }
}
