import Testing
import TextGrid
@testable import CursesUI

@Suite struct CapabilityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var term: String
        var colors: Int
        var noColor: String?
        var codeset: String?
        var mode: ColorMode
        var unicode: Bool
        var testDescription: String { "\(term) colors=\(colors) NO_COLOR=\(noColor ?? "unset") \(codeset ?? "nil")" }
    }

    static let cases: [Case] = [
        Case(term: "xterm-256color", colors: 256, noColor: nil, codeset: "UTF-8", mode: .twoFiftySix, unicode: true),
        Case(term: "tmux-256color", colors: 256, noColor: nil, codeset: "UTF-8", mode: .twoFiftySix, unicode: true),
        Case(term: "xterm-direct", colors: 16_777_216, noColor: nil, codeset: "UTF-8", mode: .twoFiftySix, unicode: true),
        Case(term: "xterm", colors: 8, noColor: nil, codeset: "UTF-8", mode: .eight, unicode: true),
        Case(term: "screen", colors: 8, noColor: nil, codeset: "UTF-8", mode: .eight, unicode: true),
        Case(term: "linux", colors: 8, noColor: nil, codeset: "UTF-8", mode: .eight, unicode: true),
        Case(term: "xterm-16color", colors: 16, noColor: nil, codeset: "UTF-8", mode: .eight, unicode: true),
        Case(term: "vt100", colors: -1, noColor: nil, codeset: "UTF-8", mode: .none, unicode: true),
        Case(term: "vt220", colors: 0, noColor: nil, codeset: "UTF-8", mode: .none, unicode: true),
        // NO_COLOR: present and non-empty disables colour; empty means unset (no-color.org).
        Case(term: "xterm-256color", colors: 256, noColor: "1", codeset: "UTF-8", mode: .none, unicode: true),
        Case(term: "xterm", colors: 8, noColor: "yes", codeset: "UTF-8", mode: .none, unicode: true),
        Case(term: "xterm-256color", colors: 256, noColor: "", codeset: "UTF-8", mode: .twoFiftySix, unicode: true),
        // Locale: only a UTF-8 codeset gets Unicode glyphs.
        Case(term: "xterm-256color", colors: 256, noColor: nil, codeset: "ANSI_X3.4-1968", mode: .twoFiftySix, unicode: false),
        Case(term: "xterm-256color", colors: 256, noColor: nil, codeset: "ISO-8859-1", mode: .twoFiftySix, unicode: false),
        Case(term: "xterm-256color", colors: 256, noColor: nil, codeset: "utf8", mode: .twoFiftySix, unicode: true),
        Case(term: "xterm-256color", colors: 256, noColor: nil, codeset: nil, mode: .twoFiftySix, unicode: false),
        Case(term: "vt100", colors: -1, noColor: "1", codeset: "ANSI_X3.4-1968", mode: .none, unicode: false),
    ]

    @Test(arguments: cases) func decision(_ c: Case) {
        let capabilities = TerminalCapabilities.decide(term: c.term, colors: c.colors, noColor: c.noColor, codeset: c.codeset)
        #expect(capabilities.colorMode == c.mode)
        #expect(capabilities.glyphs == (c.unicode ? Glyphs.unicode : Glyphs.ascii))
        #expect(capabilities.isUTF8 == c.unicode)
        #expect(capabilities.term == c.term)
    }

    @Test func unsetTermIsRecordedAsEmpty() {
        #expect(TerminalCapabilities.decide(term: nil, colors: 8, noColor: nil, codeset: "UTF-8").term == "")
    }
}

@Suite struct RoleStyleTests {
    @Test(arguments: ColorMode.allCases) func everyRoleHasAStyleAndImportantRolesDiffer(_ mode: ColorMode) {
        let styles = RoleStyles(mode)
        let table = Dictionary(uniqueKeysWithValues: CellRole.allCases.map { ($0, styles.style(for: $0)) })
        #expect(table.count == CellRole.allCases.count)
        #expect(table[.normal] == RoleStyle())
        // Whatever the colour mode, an operator must be able to tell these apart from normal text and each other.
        let distinct: [CellRole] = [.normal, .dim, .header, .warn, .critical]
        #expect(Set(distinct.map { table[$0]! }).count == distinct.count)
        #expect(table[.selected]!.attributes.contains(.reverse))
    }

    @Test func colouredTable() {
        let styles = RoleStyles(.eight)
        #expect(styles.style(for: .critical) == RoleStyle(color: .red, .bold))
        #expect(styles.style(for: .warn) == RoleStyle(color: .yellow, .bold))
        #expect(styles.style(for: .ok) == RoleStyle(color: .green))
        #expect(styles.style(for: .chart) == RoleStyle(color: .cyan))
        #expect(styles.style(for: .dim) == RoleStyle(.dim))
        #expect(styles.style(for: .header) == RoleStyle(.bold))
        #expect(styles.style(for: .selected) == RoleStyle(.reverse))
        #expect(styles.style(for: .key) == RoleStyle(.reverse))
        #expect(RoleStyles(.twoFiftySix).style(for: .critical) == styles.style(for: .critical))
    }

    @Test func monochromeUsesNoColourAtAll() {
        let styles = RoleStyles(.none)
        for role in CellRole.allCases { #expect(styles.style(for: role).color == nil, "\(role)") }
        #expect(styles.style(for: .critical) == RoleStyle([.bold, .reverse]))
        #expect(styles.style(for: .warn) == RoleStyle([.bold, .underline]))
    }

    @Test func pairNumbersAreDistinctAndZeroMeansDefault() {
        #expect(RoleStyles.pairNumber(for: nil) == 0)
        let pairs = TerminalColor.allCases.map { RoleStyles.pairNumber(for: $0) }
        #expect(Set(pairs).count == pairs.count)
        #expect(pairs.allSatisfy { $0 >= 1 })
    }
}

@Suite struct KeyDecoderTests {
    @Test func keyCodes() {
        let table: [(Int32, KeyEvent?)] = [
            (0o403, .up), (0o402, .down), (0o404, .left), (0o405, .right),
            (0o523, .pageUp), (0o522, .pageDown), (0o406, .home), (0o550, .end),
            (0o552, .home), (0o601, .end), (0o534, .home), (0o537, .end), (0o535, .pageUp), (0o540, .pageDown),
            (0o541, .backTab), (0o527, .enter), (0o407, .backspace),
            (0o411, .function(1)), (0o414, .function(4)), (0o424, .function(12)),
            (0o410, nil), (0o425, nil), // F0 and F13 are not keys the dashboard uses
            (0o512, nil), // Delete
            (0o632, nil), // KEY_RESIZE is an event, not a key
        ]
        for (code, expected) in table {
            #expect(KeyDecoder.decode(keyCode: code) == expected, "code \(String(code, radix: 8))")
        }
    }

    @Test func characters() {
        let table: [(UInt32, KeyEvent?)] = [
            (9, .tab), (10, .enter), (13, .enter), (27, .escape), (127, .backspace), (8, .backspace),
            (0x71, .character("q")), (0x20, .character(" ")), (0xE9, .character("é")), (0x65E5, .character("日")),
            (0, nil), (1, nil), (31, nil), (0x85, nil), (0xD800, nil), (0x110000, nil),
        ]
        for (value, expected) in table {
            #expect(KeyDecoder.decode(character: value) == expected, "U+\(String(value, radix: 16))")
        }
    }

}
