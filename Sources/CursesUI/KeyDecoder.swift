import CNcursesw
import TextGrid

/// Turns what `wget_wch` returns into a `KeyEvent` (pure: tests feed the curses codes).
public enum KeyDecoder {
    /// ncurses key codes, taken from `curses.h` (compile-time constants: tests need no terminal).
    public enum Code {
        public static let down = Int32(KEY_DOWN), up = Int32(KEY_UP), left = Int32(KEY_LEFT), right = Int32(KEY_RIGHT)
        public static let home = Int32(KEY_HOME), backspace = Int32(KEY_BACKSPACE), f0 = Int32(KEY_F0)
        public static let nextPage = Int32(KEY_NPAGE), previousPage = Int32(KEY_PPAGE), enter = Int32(KEY_ENTER)
        public static let backTab = Int32(KEY_BTAB), end = Int32(KEY_END), find = Int32(KEY_FIND), select = Int32(KEY_SELECT)
        /// Keypad corners and centre in application mode: upper left = Home, upper right = PgUp,
        /// lower left = End, lower right = PgDn.
        public static let a1 = Int32(KEY_A1), a3 = Int32(KEY_A3), c1 = Int32(KEY_C1), c3 = Int32(KEY_C3)
    }

    /// Escape sequences that terminals send for keys even when the terminfo entry of `TERM` does not list them,
    /// e.g. tmux's `\e[1~` for Home under `TERM=xterm-256color`, or the cursor keys in normal rather than
    /// application mode. Registered with `define_key` so a mismatched `TERM` does not turn Home into `~`.
    public static let extraSequences: [(String, Int32)] = [
        ("\u{1B}[A", Code.up), ("\u{1B}[B", Code.down), ("\u{1B}[C", Code.right), ("\u{1B}[D", Code.left),
        ("\u{1B}OA", Code.up), ("\u{1B}OB", Code.down), ("\u{1B}OC", Code.right), ("\u{1B}OD", Code.left),
        ("\u{1B}[H", Code.home), ("\u{1B}OH", Code.home), ("\u{1B}[1~", Code.home), ("\u{1B}[7~", Code.home),
        ("\u{1B}[F", Code.end), ("\u{1B}OF", Code.end), ("\u{1B}[4~", Code.end), ("\u{1B}[8~", Code.end),
        ("\u{1B}[5~", Code.previousPage), ("\u{1B}[6~", Code.nextPage), ("\u{1B}[Z", Code.backTab),
        ("\u{1B}OP", Code.f0 + 1), ("\u{1B}OQ", Code.f0 + 2), ("\u{1B}OR", Code.f0 + 3), ("\u{1B}OS", Code.f0 + 4),
        ("\u{1B}[11~", Code.f0 + 1), ("\u{1B}[12~", Code.f0 + 2), ("\u{1B}[13~", Code.f0 + 3), ("\u{1B}[14~", Code.f0 + 4),
        ("\u{1B}[15~", Code.f0 + 5), ("\u{1B}[17~", Code.f0 + 6), ("\u{1B}[18~", Code.f0 + 7), ("\u{1B}[19~", Code.f0 + 8),
        ("\u{1B}[20~", Code.f0 + 9), ("\u{1B}[21~", Code.f0 + 10), ("\u{1B}[23~", Code.f0 + 11), ("\u{1B}[24~", Code.f0 + 12),
        // The Linux console's F1–F5.
        ("\u{1B}[[A", Code.f0 + 1), ("\u{1B}[[B", Code.f0 + 2), ("\u{1B}[[C", Code.f0 + 3), ("\u{1B}[[D", Code.f0 + 4),
        ("\u{1B}[[E", Code.f0 + 5),
    ]

    /// Decodes a function-key code (`wget_wch` returned `KEY_CODE_YES`); nil for keys the dashboard ignores.
    public static func decode(keyCode code: Int32) -> KeyEvent? {
        switch code {
        case Code.up: .up
        case Code.down: .down
        case Code.left: .left
        case Code.right: .right
        case Code.previousPage, Code.a3: .pageUp
        case Code.nextPage, Code.c3: .pageDown
        // Some terminfo entries send Find/Select for the editing-keypad Home/End.
        case Code.home, Code.find, Code.a1: .home
        case Code.end, Code.select, Code.c1: .end
        case Code.backTab: .backTab
        case Code.enter: .enter
        case Code.backspace: .backspace
        case Code.f0 + 1...Code.f0 + 12: .function(Int(code - Code.f0))
        default: nil
        }
    }

    /// Decodes a character (`wget_wch` returned `OK`); nil for control characters without a meaning.
    public static func decode(character value: UInt32) -> KeyEvent? {
        switch value {
        case 9: return .tab
        // nonl() is set, so Enter arrives as \r; \n comes from Ctrl-J or a pasted newline.
        case 10, 13: return .enter
        case 27: return .escape
        // Backspace is ^? on most terminals and ^H on some (and Ctrl-H everywhere).
        case 8, 127: return .backspace
        case 0..<32, 0x80..<0xA0: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }
}
