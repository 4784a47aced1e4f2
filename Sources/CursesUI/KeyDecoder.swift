import TextGrid

/// Turns what `wget_wch` returns into a `KeyEvent` (pure: tests feed the curses codes).
public enum KeyDecoder {
    /// ncurses key codes (octal in `curses.h`), repeated here so the decoder and its tests need no terminal.
    public enum Code {
        public static let down: Int32 = 0o402, up: Int32 = 0o403, left: Int32 = 0o404, right: Int32 = 0o405
        public static let home: Int32 = 0o406, backspace: Int32 = 0o407, f0: Int32 = 0o410
        public static let nextPage: Int32 = 0o522, previousPage: Int32 = 0o523, enter: Int32 = 0o527
        public static let backTab: Int32 = 0o541, end: Int32 = 0o550, find: Int32 = 0o552, select: Int32 = 0o601
        /// Keypad corners and centre in application mode: upper left = Home, upper right = PgUp,
        /// lower left = End, lower right = PgDn.
        public static let a1: Int32 = 0o534, a3: Int32 = 0o535, c1: Int32 = 0o537, c3: Int32 = 0o540
        public static let resize: Int32 = 0o632
    }

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
