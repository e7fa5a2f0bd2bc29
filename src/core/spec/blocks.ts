// The few block-level facts of a phase body that the plan reads, in document order. Positions are
// body-relative (line 1 is the first line after the phase heading) and 1-based; columns count characters.

export interface SourceLine {
  text: string;
  line: number;
  /** 1-based column of the text's first character. */
  column: number;
}

export type Block =
  /** A top-level heading: its source text (ATX with its `#`s; setext with its underline line). */
  | { kind: 'heading'; raw: string; line: number; column: number }
  /**
   * A top-level paragraph, or the first paragraph of a top-level list item: its first line from its
   * first character, the other lines whole, as in the source (indentation and lazy lines included).
   */
  | { kind: 'paragraph' | 'item'; lines: SourceLine[] }
  /** A top-level code block (fenced or indented): its non-blank content lines, trimmed. */
  | { kind: 'code'; lines: SourceLine[] };
