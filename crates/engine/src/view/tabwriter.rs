//! A port of Go's `text/tabwriter` (left-aligned, space-padded, no flags), which kubectl uses to
//! line up both `get` tables and `describe` sections.
//!
//! Text is split into cells at `\t`; a column is as wide as its widest cell plus `padding` (at
//! least `minwidth`). The last cell of a line is never padded. A run of consecutive lines that
//! all have a cell in column k forms a "column block" sharing one width, and a line with no tab at
//! all flushes the writer, so the blocks before and after it are aligned independently. Those two
//! rules are why `kubectl describe` aligns, say, `QoS Class:` with the volume lines just above it.
//!
//! Start at [`TabWriter::write`]; it mirrors `(*Writer).Write`, `format` and `writeLines` in
//! Go's src/text/tabwriter/tabwriter.go (`format` without Go's recursion).

#[derive(Clone, Debug, Default)]
struct Cell {
    text: String,
    /// Width in runes, as Go's `utf8.RuneCount`.
    width: usize,
}

/// Go's `tabwriter.Writer` with `padchar = ' '` and `flags = 0`.
#[derive(Debug)]
pub(crate) struct TabWriter {
    minwidth: usize,
    padding: usize,
    /// Text of the cell being built.
    cell: String,
    /// Buffered lines; the last one is the line being built.
    lines: Vec<Vec<Cell>>,
    out: String,
}

impl TabWriter {
    /// Go's `tabwriter.NewWriter(out, minwidth, tabwidth, padding, ' ', 0)`; `tabwidth` only
    /// matters for tab padding, which a space-padded writer never uses.
    pub(crate) fn new(minwidth: usize, padding: usize) -> Self {
        TabWriter {
            minwidth,
            padding,
            cell: String::new(),
            lines: vec![Vec::new()],
            out: String::new(),
        }
    }

    /// Buffers `text`, flushing whenever a line without any tab ends (or at `\f`).
    pub(crate) fn write(&mut self, text: &str) {
        for ch in text.chars() {
            match ch {
                '\t' | '\u{0b}' | '\n' | '\u{0c}' => {
                    let ncells = self.terminate_cell();
                    if ch == '\n' || ch == '\u{0c}' {
                        self.lines.push(Vec::new());
                        if ch == '\u{0c}' || ncells == 1 {
                            // A one-cell line cannot affect the alignment of the lines that
                            // follow (the last cell of a line is ignored), so Go flushes here.
                            self.flush();
                        }
                    }
                }
                _ => self.cell.push(ch),
            }
        }
    }

    fn terminate_cell(&mut self) -> usize {
        let text = std::mem::take(&mut self.cell);
        let width = text.chars().count();
        let line = self.current_line();
        line.push(Cell { text, width });
        line.len()
    }

    fn current_line(&mut self) -> &mut Vec<Cell> {
        if self.lines.is_empty() {
            self.lines.push(Vec::new());
        }
        let last = self.lines.len() - 1;
        &mut self.lines[last]
    }

    /// Formats and emits everything buffered; mirrors `(*Writer).Flush`.
    pub(crate) fn flush(&mut self) {
        if !self.cell.is_empty() {
            self.terminate_cell();
        }
        self.format();
        self.lines = vec![Vec::new()];
    }

    /// Flushes and returns all the text written.
    pub(crate) fn finish(mut self) -> String {
        self.flush();
        self.out
    }

    /// Mirrors Go's recursive `format`, computed without recursion so that a line with thousands
    /// of tabs cannot exhaust the stack. Go sizes column j over each maximal run of consecutive
    /// lines that have a cell in column j (a cell that is not the line's last); such a run always
    /// lies inside a run for column j-1, so sizing every column's runs independently gives the
    /// same widths. Every cell but the last of its line is then padded to its width.
    fn format(&mut self) {
        let lines = &self.lines;
        let mut widths: Vec<Vec<usize>> = lines
            .iter()
            .map(|l| vec![0; l.len().saturating_sub(1)])
            .collect();
        let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
        for column in 0..columns.saturating_sub(1) {
            let mut i = 0;
            while i < lines.len() {
                if column + 1 >= lines[i].len() {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut width = self.minwidth;
                while i < lines.len() && column + 1 < lines[i].len() {
                    width = width.max(lines[i][column].width + self.padding);
                    i += 1;
                }
                for line_widths in &mut widths[start..i] {
                    line_widths[column] = width;
                }
            }
        }
        for (i, line) in lines.iter().enumerate() {
            for (j, cell) in line.iter().enumerate() {
                self.out.push_str(&cell.text);
                if let Some(&w) = widths[i].get(j) {
                    for _ in cell.width..w {
                        self.out.push(' ');
                    }
                }
            }
            // The last buffered line has no newline of its own.
            if i + 1 < lines.len() {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TabWriter;

    fn tabulate(text: &str, minwidth: usize, padding: usize) -> String {
        let mut w = TabWriter::new(minwidth, padding);
        w.write(text);
        w.finish()
    }

    #[test]
    fn columns_are_padded_to_the_widest_cell_and_the_last_cell_is_left_alone() {
        assert_eq!(
            tabulate("a\tbb\tc\naaa\tb\tc\n", 0, 2),
            "a    bb  c\naaa  b   c\n"
        );
    }

    #[test]
    fn a_line_without_tabs_separates_alignment_blocks() {
        assert_eq!(
            tabulate("Name:\tx\nContainers:\n  Image:\ty\n", 0, 2),
            "Name:  x\nContainers:\n  Image:  y\n"
        );
    }

    #[test]
    fn thousands_of_tabs_on_one_line_are_formatted_without_deep_recursion() {
        let line = "x\t".repeat(20_000);
        let out = tabulate(&format!("{line}\n"), 0, 1);
        assert_eq!(out, format!("{}\n", "x ".repeat(20_000)));
    }

    #[test]
    fn a_cell_missing_from_a_line_ends_the_column_block() {
        assert_eq!(
            tabulate("a\tb\tc\nx\ty\nlonger\tq\tr\n", 0, 1),
            "a      b c\nx      y\nlonger q r\n"
        );
    }
}
