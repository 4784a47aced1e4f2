import TextGrid

/// How many colours the dashboard may use.
public enum ColorMode: String, Sendable, Hashable, CaseIterable {
    /// Attributes only: `NO_COLOR`, or a monochrome terminal such as `vt100`.
    case none
    /// The eight ANSI colours (`xterm`, `screen`, `linux`).
    case eight
    /// 256 colours (`xterm-256color`, `tmux-256color`).
    case twoFiftySix = "256"
}

/// What the terminal and the environment allow, decided by a pure function so every combination is testable.
public struct TerminalCapabilities: Sendable, Hashable {
    /// The `TERM` value the decision was made for (empty when unset).
    public var term: String
    public var colorMode: ColorMode
    public var glyphs: Glyphs
    /// Whether the locale's codeset is UTF-8: otherwise non-ASCII characters are drawn as `?`.
    public var isUTF8: Bool

    public init(term: String, colorMode: ColorMode, glyphs: Glyphs, isUTF8: Bool) {
        self.term = term
        self.colorMode = colorMode
        self.glyphs = glyphs
        self.isUTF8 = isUTF8
    }

    /// Decides from `TERM`, the terminfo `colors` count (-1 or 0 when absent), `NO_COLOR` and the locale codeset.
    ///
    /// - `NO_COLOR` present and non-empty → no colour, whatever the terminal (https://no-color.org).
    /// - ≥ 256 colours → `twoFiftySix`; ≥ 8 → `eight`; fewer → `none`.
    /// - Unicode glyphs only in a UTF-8 locale: a `LANG=C` session gets ASCII instead of mojibake.
    public static func decide(term: String?, colors: Int, noColor: String?, codeset: String?) -> TerminalCapabilities {
        let utf8 = isUTF8(codeset: codeset)
        let mode: ColorMode
        if let noColor, !noColor.isEmpty {
            mode = .none
        } else if colors >= 256 {
            mode = .twoFiftySix
        } else if colors >= 8 {
            mode = .eight
        } else {
            mode = .none
        }
        return TerminalCapabilities(term: term ?? "", colorMode: mode, glyphs: utf8 ? .unicode : .ascii, isUTF8: utf8)
    }

    /// `nl_langinfo(CODESET)` spells it `UTF-8`; other spellings (`utf8`) come from hand-set values.
    static func isUTF8(codeset: String?) -> Bool {
        guard let codeset else { return false }
        let normalized = codeset.lowercased().filter { $0 != "-" && $0 != "_" }
        return normalized == "utf8"
    }

    /// How each role looks under this terminal's colour mode.
    public var styles: RoleStyles { RoleStyles(colorMode) }
}
